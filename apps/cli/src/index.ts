export { main } from "./cli.js";
export { VERSION } from "./version.js";
