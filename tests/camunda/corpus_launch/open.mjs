// Stands in for the `open` package (which opens a browser page): there is no browser here.
export default async function open() {
  return undefined;
}
