package protocol

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/atomicwrite/atomicwrite/internal/sys"
)

// Temp and backup names follow one pattern, so that a person (or a later
// sweep) can tell them apart from anything else in the directory:
//
//	.<target name>.<16 hex digits><suffix>
//
// The leading dot hides them from ls and shell globs. The random part makes
// a collision with another writer's temp unlikely; O_EXCL makes it harmless.
const (
	tempSuffix   = ".aw-tmp"
	backupSuffix = ".aw-old"
)

// maxNameTries bounds the random names a write tries before it gives up,
// as os.CreateTemp does: a directory full of planted names (or a broken
// random source) must end in an error, not a loop.
const maxNameTries = 10000

// createUnique calls create with fresh names for base and suffix, drawn
// from random, until one is free: until create fails with neither EEXIST
// (the name is taken, or a link is planted there) nor EINTR. It returns
// the name create took.
func createUnique(base, suffix string, random func() uint64, create func(name string) error) (string, error) {
	for try := 1; ; try++ {
		name := randomName(base, suffix, random())
		err := create(name)
		switch {
		case err == nil:
			return name, nil
		case err != sys.EEXIST && err != sys.EINTR:
			return "", err
		case try == maxNameTries:
			return "", fmt.Errorf("%w (gave up after %d random names)", err, maxNameTries)
		}
	}
}

// nameMax is the longest file name Linux filesystems (and APFS) accept.
// The target's name is shortened in the temp name so that the temp name
// always fits, even for a target whose own name is nameMax bytes long.
const nameMax = 255

const hexLen = 16

// shortened is base as the temp and backup names of base hold it.
func shortened(base, suffix string) string {
	if keep := nameMax - len(".") - len(".") - hexLen - len(suffix); len(base) > keep {
		return base[:keep]
	}
	return base
}

// randomName returns a fresh name for a temp or backup of the entry base,
// from the random number r.
func randomName(base, suffix string, r uint64) string {
	var hex [hexLen]byte
	for i := range hex {
		hex[i] = "0123456789abcdef"[r>>60]
		r <<= 4
	}
	return "." + shortened(base, suffix) + "." + string(hex[:]) + suffix
}

// isNameOf reports whether name is one that randomName makes for base and
// suffix.
func isNameOf(name, base, suffix string) bool {
	rest, ok := strings.CutPrefix(name, "."+shortened(base, suffix)+".")
	if !ok {
		return false
	}
	digits, ok := strings.CutSuffix(rest, suffix)
	return ok && len(digits) == hexLen && strings.Trim(digits, "0123456789abcdef") == ""
}

// random returns the random part of a temp or backup name: from
// math/rand/v2's global source, ChaCha8 seeded by the runtime, so that the
// names are not guessable in advance, which spares a planted file from
// even being met (O_EXCL|O_NOFOLLOW would refuse it anyway).
func (s *Settings) random() uint64 {
	if s.Random != nil {
		return s.Random()
	}
	return rand.Uint64()
}

// parseName returns the target name (shortened, as above) that name is a
// randomName of with suffix, or "" if name is no such name.
func parseName(name, suffix string) string {
	rest, ok := strings.CutSuffix(name, suffix)
	if !ok || len(rest) < len("..")+hexLen+1 || rest[0] != '.' || rest[len(rest)-hexLen-1] != '.' ||
		strings.Trim(rest[len(rest)-hexLen:], "0123456789abcdef") != "" {
		return ""
	}
	return rest[1 : len(rest)-hexLen-1]
}

// TempName is the temp name a write of base makes from the random number r
// (see Settings.Random).
func TempName(base string, r uint64) string { return randomName(base, tempSuffix, r) }
