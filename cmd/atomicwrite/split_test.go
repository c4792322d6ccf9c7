//go:build unix

package main

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"testing/iotest"
)

// referenceSplit is the rule written plainly, on a whole input in memory:
// split on delim; a delim at the very end ends the last chunk instead of
// starting an empty one; an empty input has no chunks.
func referenceSplit(in, delim []byte) [][]byte {
	if len(in) == 0 {
		return nil
	}
	chunks := bytes.Split(in, delim)
	if len(chunks[len(chunks)-1]) == 0 {
		chunks = chunks[:len(chunks)-1]
	}
	return chunks
}

// collector records the chunks split hands out.
type collector struct{ chunks []*bytes.Buffer }

func (c *collector) open(i int) (io.WriteCloser, error) {
	if i != len(c.chunks) {
		return nil, errors.New("chunks opened out of order")
	}
	b := &bytes.Buffer{}
	c.chunks = append(c.chunks, b)
	return nopCloser{b}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func splitAll(t testing.TB, r io.Reader, delim []byte, max int) ([][]byte, error) {
	var c collector
	n, err := split(r, delim, max, c.open)
	if err == nil && n != len(c.chunks) {
		t.Fatalf("split counted %d chunks, opened %d", n, len(c.chunks))
	}
	var out [][]byte
	for _, b := range c.chunks {
		out = append(out, b.Bytes())
	}
	return out, err
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in, delim string
		want      []string
	}{
		{"A\x00B\x00C", "\x00", []string{"A", "B", "C"}},
		{"A\x00B\x00C\x00", "\x00", []string{"A", "B", "C"}},
		{"A\x00B\x00", "\x00", []string{"A", "B"}},
		{"A\x00B\x00\x00", "\x00", []string{"A", "B", ""}},
		{"", "\x00", nil},
		{"\x00", "\x00", []string{""}},
		{"\x00\x00", "\x00", []string{"", ""}},
		{"abc", "\x00", []string{"abc"}},
		{"a--b----c--", "--", []string{"a", "b", "", "c"}},
		{"aaa", "aa", []string{"", "a"}},
		{"x-y-", "-y-", []string{"x"}},
		{"-y-y-", "-y-", []string{"", "y-"}},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = bytes.NewReader([]byte(tt.in))
			if oneByte {
				r = iotest.OneByteReader(r) // a delimiter split across reads
			}
			got, err := splitAll(t, r, []byte(tt.delim), 100)
			if err != nil {
				t.Fatal(err)
			}
			var want [][]byte
			for _, w := range tt.want {
				want = append(want, []byte(w))
			}
			if !slices.EqualFunc(got, want, bytes.Equal) {
				t.Errorf("split(%q, %q, oneByte=%v) = %q, want %q", tt.in, tt.delim, oneByte, got, want)
			}
			if ref := referenceSplit([]byte(tt.in), []byte(tt.delim)); !slices.EqualFunc(ref, want, bytes.Equal) {
				t.Errorf("referenceSplit(%q, %q) = %q, want %q", tt.in, tt.delim, ref, want)
			}
		}
	}
}

func TestSplitTooMany(t *testing.T) {
	_, err := splitAll(t, bytes.NewReader([]byte("a\x00b\x00c")), []byte{0}, 2)
	if !errors.Is(err, errTooManyChunks) {
		t.Errorf("3 chunks for 2: got %v, want errTooManyChunks", err)
	}
	// A trailing delimiter after the last allowed chunk is not a new chunk.
	if _, err := splitAll(t, bytes.NewReader([]byte("a\x00b\x00")), []byte{0}, 2); err != nil {
		t.Errorf("2 chunks with a trailing delimiter for 2: %v", err)
	}
}

// The split streams: a large input passes through with memory that does not
// grow with it.
func TestSplitStreams(t *testing.T) {
	const size = 64 << 20
	in := io.MultiReader(io.LimitReader(zeros{}, size), bytes.NewReader([]byte("|tail")))
	var c counter
	n, err := split(in, []byte("|"), 2, func(int) (io.WriteCloser, error) { return &c, nil })
	if err != nil || n != 2 || c.n != size+4 {
		t.Fatalf("got %d chunks, %d bytes, %v", n, c.n, err)
	}
	allocs := testing.AllocsPerRun(1, func() {
		split(io.LimitReader(zeros{}, size), []byte("|"), 1, func(int) (io.WriteCloser, error) { return &c, nil })
	})
	if allocs > 20 {
		t.Errorf("%v allocations to split 64 MiB: the input is being buffered", allocs)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type counter struct{ n int }

func (c *counter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
func (c *counter) Close() error                { return nil }

func FuzzSplit(f *testing.F) {
	f.Fuzz(func(t *testing.T, in, delim []byte, chunking uint8) {
		if len(delim) == 0 || len(delim) > maxDelimLen {
			return
		}
		var r io.Reader = bytes.NewReader(in)
		if chunking%2 == 1 {
			r = iotest.OneByteReader(r)
		}
		got, err := splitAll(t, r, delim, len(in)+1)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceSplit(in, delim); !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("split(%q, %q) = %q, reference %q", in, delim, got, want)
		}
	})
}
