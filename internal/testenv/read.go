package testenv

import (
	"os"
	"testing"
	"time"
)

// ReadFile is os.ReadFile as a reader must write it to run on Windows too:
// there the open fails with a sharing violation for the instant a rename
// replaces the file (the rename holds it for delete), and is tried again;
// and a reader that reads in a loop lets go of the file after each read
// for letGo times as long as the read held it, or no rename would find it
// free: under wine, reads slow down as much as the machine is loaded.
func ReadFile(path string) ([]byte, error) {
	for {
		start := time.Now()
		b, err := os.ReadFile(path)
		if !isSharingViolation(err) {
			if letGo > 0 {
				time.Sleep(max(time.Millisecond, letGo*time.Since(start)))
			}
			return b, err
		}
		time.Sleep(time.Millisecond)
	}
}

// ReadUntil reads path over and over until stop is closed, checking that
// every read is one writer's complete Payload; it returns the reads made.
func ReadUntil(t testing.TB, path string, stop <-chan struct{}) int {
	reads := 0
	for {
		select {
		case <-stop:
			return reads
		default:
		}
		b, err := ReadFile(path)
		if err != nil {
			t.Errorf("read: %v", err) // the target always exists
			return reads
		}
		if err := CheckPayload(b); err != nil {
			t.Errorf("%s: reader saw %v", path, err)
			return reads
		}
		reads++
	}
}
