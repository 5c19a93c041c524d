/**
 * How many characters of a long value from a database (a comment, an ENUM's type) the console
 * shows before "Show all": a line or two, where discovery keeps up to 2,000. Plain TypeScript, so
 * that the tests read it too.
 */
export const VALUE_SHOWN = 200;
