// Data for a page's script, in a <script type="application/json"> element (the charts read theirs).

/** JSON that cannot close the script element it sits in. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
