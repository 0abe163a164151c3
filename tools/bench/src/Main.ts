/** Runs a benchmark's `main`; a failure is printed and the process exits 1. */
export const runMain = (main: () => Promise<void>) => {
  main().catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
