import { spawn } from "node:child_process";

/** Opens a file with the desktop's default program; a failure is reported, never thrown. */
export function openInDesktop(file: string, onError: (message: string) => void): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [file]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", file]]
        : ["xdg-open", [file]];
  try {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.on("error", (error) => onError(`Could not open ${file} with ${command}: ${error.message}`));
    child.unref();
  } catch (error) {
    onError(`Could not open ${file} with ${command}: ${(error as Error).message}`);
  }
}
