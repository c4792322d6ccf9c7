package testenv

import (
	"os"
	"time"
)

// ReadFile is os.ReadFile as a reader must write it to run on Windows too:
// there the open fails with a sharing violation for the instant a rename
// replaces the file (the rename holds it for delete), and is tried again;
// and a reader that reads in a loop lets go of the file for a moment after
// each read (readPause), or no rename would ever find it free.
func ReadFile(path string) ([]byte, error) {
	for {
		b, err := os.ReadFile(path)
		if !isSharingViolation(err) {
			if readPause > 0 {
				time.Sleep(readPause)
			}
			return b, err
		}
		time.Sleep(time.Millisecond)
	}
}
