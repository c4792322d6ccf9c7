package testenv

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Payload returns content that proves itself whole: a header, a filler
// whose length varies with seq (so an old, longer content cannot hide
// under a new, shorter one), and the SHA-256 of both. CheckPayload tells a
// complete payload from a torn one, a mix of two, or an empty file.
func Payload(writer, seq int) []byte {
	body := fmt.Appendf(nil, "writer %d seq %d\n", writer, seq)
	body = append(body, bytes.Repeat([]byte{byte('a' + (writer+seq)%26)}, 1000+(seq*7919)%30000)...)
	sum := sha256.Sum256(body)
	return append(append(body, '\n'), hex.EncodeToString(sum[:])...)
}

// CheckPayload returns an error unless b is exactly one Payload.
func CheckPayload(b []byte) error {
	i := bytes.LastIndexByte(b, '\n')
	if i < 0 || len(b)-i-1 != 2*sha256.Size {
		return fmt.Errorf("torn payload: %d bytes, no checksum line", len(b))
	}
	sum := sha256.Sum256(b[:i])
	if hex.EncodeToString(sum[:]) != string(b[i+1:]) {
		return fmt.Errorf("torn payload: %d bytes, checksum mismatch", len(b))
	}
	return nil
}
