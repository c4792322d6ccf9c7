package protocol

import (
	"fmt"
	"testing"
)

// Every name idleName makes, and no other, is an idle mark file's.
func TestIsIdleName(t *testing.T) {
	for i := range idleMarks {
		if !isIdleName(idleName(i)) {
			t.Errorf("isIdleName(%q) = false, want true", idleName(i))
		}
	}
	for _, name := range []string{"idle-", fmt.Sprintf("idle-%d", idleMarks), "idle-00", "idle-a", "idle-/", "xidle-0", "enabled", "commit", ".commit.0123456789abcdef.aw-mark"} {
		if isIdleName(name) {
			t.Errorf("isIdleName(%q) = true, want false", name)
		}
	}
}
