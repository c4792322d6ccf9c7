//go:build unix

package main

import "github.com/atomicwrite/atomicwrite/internal/testenv"

// buildCLI builds the command into dir, with the go tool: it is tested as
// users run it.
func buildCLI(dir string) (string, error) { return testenv.BuildCLI(dir) }
