/**
 * On a phone every data table is shown as stacked cards (app.css, max-width 640px): each cell
 * on its own line after its column's name. The names come from the table's header row; this
 * copies them onto the cells (`data-label`) of every table under `root`, now and whenever rows
 * change, so no page has to repeat its headers in its markup.
 */
export function labelTableCells(root: HTMLElement): () => void {
  const label = () => {
    for (const table of root.querySelectorAll<HTMLTableElement>('.table-wrap table')) {
      const names: string[] = [];
      for (const th of table.querySelectorAll<HTMLTableCellElement>('thead tr:last-child th')) {
        const name = th.textContent?.trim() ?? '';
        for (let i = 0; i < th.colSpan; i++) names.push(name);
      }
      for (const row of table.tBodies[0]?.rows ?? []) {
        let column = 0;
        for (const cell of row.cells) {
          const name = cell.colSpan === 1 ? names[column] : undefined;
          if (name && cell.dataset.label !== name) cell.dataset.label = name;
          if (!name && cell.dataset.label !== undefined) delete cell.dataset.label;
          column += cell.colSpan;
        }
      }
    }
  };
  label();
  const observer = new MutationObserver((records) => {
    // Our own data-label writes are attribute changes; only new or changed nodes and text count.
    if (records.some((r) => r.type !== 'attributes')) label();
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  return () => observer.disconnect();
}
