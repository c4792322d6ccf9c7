package atomic

import (
	"io"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// WriteFile replaces the content of the file name with data, atomically and
// durably. See the package documentation for what that promises.
func WriteFile(name string, data []byte, opts ...Option) error {
	return protocol.WriteFile(name, data, protocol.SettingsOf(opts))
}

// WriteString is WriteFile with a string.
func WriteString(name, data string, opts ...Option) error {
	return protocol.WriteString(name, data, protocol.SettingsOf(opts))
}

// WriteFrom replaces the content of the file name with everything r yields.
// The content streams to disk: memory does not grow with the input. If r
// fails, the target is left as it was and the error wraps r's.
func WriteFrom(name string, r io.Reader, opts ...Option) error {
	f, err := Create(name, opts...)
	if err != nil {
		return err
	}
	f.ReadFrom(r)
	return f.Commit()
}
