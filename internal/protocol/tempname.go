package protocol

import (
	"math/rand/v2"
	"strings"
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

// nameMax is the longest file name Linux filesystems (and APFS) accept.
// The target's name is shortened in the temp name so that the temp name
// always fits, even for a target whose own name is nameMax bytes long.
const nameMax = 255

// randomName returns a fresh name for a temp or backup of the entry base.
func randomName(base, suffix string) string {
	const hexLen = 16
	if keep := nameMax - len(".") - len(".") - hexLen - len(suffix); len(base) > keep {
		base = base[:keep]
	}
	var b strings.Builder
	b.Grow(len(base) + 2 + hexLen + len(suffix))
	b.WriteByte('.')
	b.WriteString(base)
	b.WriteByte('.')
	// math/rand/v2's global source is ChaCha8, seeded by the runtime: the
	// names are not guessable in advance, which spares a planted file from
	// even being met (O_EXCL|O_NOFOLLOW would refuse it anyway).
	const digits = "0123456789abcdef"
	r := rand.Uint64()
	for i := 0; i < hexLen; i++ {
		b.WriteByte(digits[r>>60])
		r <<= 4
	}
	b.WriteString(suffix)
	return b.String()
}
