/**
 * The bound on the text a catalog hands over that its database does not bound itself: comments
 * (PostgreSQL, MySQL, ClickHouse, the warehouses keep megabytes of one) and type names (MySQL's
 * ENUM(…) and ClickHouse's Enum8(…) spell out every value). Names are not cut: every database
 * bounds its own (PostgreSQL 63 bytes, MySQL 64 characters, Snowflake and Glue 255, BigQuery 300).
 *
 * 2,000 characters: a comment is there to tell a reader (an NL-to-SQL model among them) what a
 * column or table holds, which takes a few sentences; 2,000 is several paragraphs, half of
 * Oracle's own bound (4,000 bytes), and about 500 tokens of a model's prompt. More is a document
 * kept in a comment, which would make every read, snapshot and change of the catalog cost it.
 */

/** The most characters (UTF-16 code units) of a comment or type name discovery keeps. */
export const CATALOG_TEXT_MAX = 2_000;

/** What a cut text ends with, in place of its last kept character. */
export const CUT_MARKER = '…';

/**
 * The text as discovery keeps it: itself when it is CATALOG_TEXT_MAX characters or fewer, else its
 * first CATALOG_TEXT_MAX − 1 characters and CUT_MARKER (never half of a surrogate pair).
 */
export function boundedText(text: string): string {
  if (text.length <= CATALOG_TEXT_MAX) return text;
  let end = CATALOG_TEXT_MAX - CUT_MARKER.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + CUT_MARKER;
}

export const boundedTextOrNull = (text: string | null): string | null => (text === null ? null : boundedText(text));

/**
 * SQL for the first CATALOG_TEXT_MAX + 1 characters of `expression`, so that a long comment's
 * bytes stay in the database: one character more than kept, for boundedText to see that it was
 * longer and mark it. `substring` is the vendor's function that counts characters, not bytes
 * (`substr` for most; ClickHouse's `substringUTF8`).
 */
export const firstCharsSql = (expression: string, substring = 'substr') =>
  `${substring}(${expression}, 1, ${CATALOG_TEXT_MAX + 1})`;
