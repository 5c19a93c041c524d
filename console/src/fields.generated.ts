/* Generated from schema.graphql by `npm run schema` (src/cli/schema-files.ts): do not edit.
 * A connection's plain fields (text, a number, a flag: written by a create, shown with no arguments),
 * which the console's form and detail show as they come (console/src/plain-fields.ts). */

export const PLAIN_FIELDS = [
  {
    "name": "alias",
    "type": "String",
    "required": true,
    "nullable": false,
    "description": "Name of the connection, unique in its workspace, compared ignoring case. Leading and trailing spaces are removed; then 1 to 255 characters, no control characters."
  },
  {
    "name": "useSsh",
    "type": "Boolean",
    "required": false,
    "nullable": false,
    "description": "Reach the database through the SSH bastion of sshSettings: connection tests and schema discovery open a tunnel to the host and port of the URI. Default: false."
  },
  {
    "name": "workspace",
    "type": "String",
    "required": false,
    "nullable": false,
    "description": "The workspace the connection belongs to: who may see and change it follows from it. Default: default; a replace that leaves it out keeps it. Moving a connection needs connections:write in both workspaces."
  }
] as const;

/** Their GraphQL selection, for the console's operations. */
export const PLAIN_SELECTION = "alias useSsh workspace" as const;
