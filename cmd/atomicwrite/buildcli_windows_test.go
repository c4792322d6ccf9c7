package main

import "os"

// buildCLI returns the test binary itself, which runs as the command in a
// child whose environment sets asCLI (see TestMain): under wine, where CI
// runs these tests, the Linux go tool cannot be started to build one.
func buildCLI(dir string) (string, error) {
	os.Setenv(asCLI, "1") // for the children; this process is past TestMain's check
	return os.Executable()
}
