/** Kept in step with package.json by a unit test; bundled code cannot read package.json at run time. */
export const TOOL_NAME = 'selfhost-backup'
export const TOOL_VERSION = '0.2.0'
