import type { ReactNode } from 'react';

/**
 * The app's table scaffolding: the scrolling wrapper, a caption for screen readers (the
 * visible heading sits above the table) and one header row of column names. The rows are
 * the caller's, each with its row header (`<th scope="row">`) first.
 */
export function DataTable({ caption, columns, children }: { caption: string; columns: readonly (string | false)[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map(
              (column) =>
                column && (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
