import { odata } from '@azure/data-tables';

/**
 * A `$filter` or `$expand` value for a Graph request, each interpolated string written as an
 * OData string literal (`'` doubled) and the whole percent-encoded for the query string.
 *
 * Graph's string literals follow the same OData rule as Table Storage's, so the quoting is
 * `odata` from `@azure/data-tables`, the one piece of code that quotes for both. Only strings
 * are taken: its Date form (`datetime'…'`) is Table Storage's, not Graph's.
 *
 * The SDK puts `.filter()` and `.expand()` values into the URL unencoded, so `&`, `#`, `+` or `%`
 * in a folder name or an id would break the query (or change its meaning); percent-encoding
 * the whole value keeps it intact.
 */
export function graphQuery(strings: TemplateStringsArray, ...values: string[]): string {
  return encodeURIComponent(odata(strings, ...values));
}
