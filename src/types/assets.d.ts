/** Files imported `with { type: "file" }` resolve to a path (inside the executable when compiled). */
declare module "*.c" {
  const path: string;
  export default path;
}
declare module "*.so" {
  const path: string;
  export default path;
}
declare module "*.wasm" {
  const path: string;
  export default path;
}
