/** A body serialized already: long lists are turned into text page by page, not held as objects. */
export class JsonText {
  constructor(readonly text: string) {}
}
