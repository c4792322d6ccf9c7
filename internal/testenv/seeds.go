package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// AddSeeds adds to f the seed corpus kept in the module's testdata/fuzz/NAME,
// where NAME is the fuzz target's name. The files are in the format of Go's
// own corpus files ("go test fuzz v1", one value a line); the values may be
// []byte, string or uint8.
func AddSeeds(f *testing.F) {
	f.Helper()
	dir := filepath.Join(ModuleRoot(), "testdata", "fuzz", f.Name())
	files, err := os.ReadDir(dir)
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus for %s: %v", f.Name(), err)
	}
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(dir, file.Name()))
		if err != nil {
			f.Fatal(err)
		}
		args, err := parseSeed(string(b))
		if err != nil {
			f.Fatalf("%s: %v", file.Name(), err)
		}
		f.Add(args...)
	}
}

func parseSeed(s string) ([]any, error) {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) == 0 || lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("not a go test fuzz v1 file")
	}
	var args []any
	for _, line := range lines[1:] {
		typ, val, ok := strings.Cut(line, "(")
		if !ok || !strings.HasSuffix(val, ")") {
			return nil, fmt.Errorf("bad line %q", line)
		}
		val = strings.TrimSuffix(val, ")")
		switch typ {
		case "[]byte", "string":
			u, err := strconv.Unquote(val)
			if err != nil {
				return nil, fmt.Errorf("bad line %q: %v", line, err)
			}
			if typ == "string" {
				args = append(args, u)
			} else {
				args = append(args, []byte(u))
			}
		case "uint8", "byte":
			n, err := strconv.ParseUint(val, 0, 8)
			if err != nil {
				return nil, fmt.Errorf("bad line %q: %v", line, err)
			}
			args = append(args, uint8(n))
		default:
			return nil, fmt.Errorf("unsupported type in %q", line)
		}
	}
	return args, nil
}
