package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/atomicwrite/atomicwrite/internal/testenv"
)

// --watch prints the set at once, then the whole new set after a
// transaction (here, the CLI's own multi-path write) changes it: its
// output, fed back to a write of the same paths, is the set again. (It
// runs in the directory's parent: on Windows, consistent reads cannot be
// enabled in a directory that is a process's working directory.)
func TestWatch(t *testing.T) {
	dir := testenv.TempDir(t)
	testenv.WriteFile(t, filepath.Join(dir, "cert.pem"), []byte("old cert"), 0o644)
	testenv.WriteFile(t, filepath.Join(dir, "key.pem"), []byte("old key"), 0o600)
	base := filepath.Base(dir)
	cmd := exec.Command(binary, "--watch", filepath.Join(base, "cert.pem"), filepath.Join(base, "key.pem"))
	cmd.Dir = filepath.Dir(dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	chunks := make(chan string)
	go func() {
		r := bufio.NewReader(out)
		for {
			chunk, err := r.ReadString(0)
			if err != nil {
				close(chunks)
				return
			}
			chunks <- chunk
		}
	}()
	set := func() string {
		t.Helper()
		var s string
		for range 2 {
			select {
			case c, ok := <-chunks:
				if !ok {
					t.Fatal("--watch ended")
				}
				s += c
			case <-time.After(10 * time.Second):
				t.Fatalf("--watch printed %q of a set in 10 s", s)
			}
		}
		return s
	}
	if got, want := set(), "old cert\x00old key\x00"; got != want {
		t.Fatalf("first set %q, want %q", got, want)
	}
	if r := runCLI(t, dir, []byte("new cert\x00new key\x00"), "cert.pem", "key.pem"); r.exit != 0 {
		t.Fatalf("write: %+v", r)
	}
	if got, want := set(), "new cert\x00new key\x00"; got != want {
		t.Fatalf("after the write: %q, want %q", got, want)
	}
}
