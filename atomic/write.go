package atomic

import (
	"io"

	"github.com/atomicwrite/atomicwrite/internal/protocol"
)

// WriteFile replaces the content of the file name with data, atomically and
// durably. See the package documentation for what that promises.
func WriteFile(name string, data []byte, opts ...Option) error {
	var w protocol.Single
	if err := w.Begin(name, protocol.SettingsOf(opts), false); err != nil {
		return err
	}
	w.Entry().Write(data) // a failure is kept in the entry; Commit reports it and cleans up
	return w.Commit(nil)
}

// WriteString is WriteFile with a string.
func WriteString(name, data string, opts ...Option) error {
	var w protocol.Single
	if err := w.Begin(name, protocol.SettingsOf(opts), false); err != nil {
		return err
	}
	w.Entry().WriteString(data)
	return w.Commit(nil)
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
