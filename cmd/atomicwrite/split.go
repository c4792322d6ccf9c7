package main

import (
	"bytes"
	"errors"
	"io"
)

var errTooManyChunks = errors.New("too many chunks")

// split reads r to its end and writes each chunk, delimited by delim, to a
// writer that open(i) returns for the i-th chunk, closing it at the chunk's
// end. A delim at the very end of the input ends the last chunk rather than
// starting an empty one; an empty input has no chunks. It returns the number
// of chunks, or errTooManyChunks as soon as a chunk beyond max begins.
//
// The input streams through a fixed buffer: memory does not grow with it.
// Bytes that could be the start of a delimiter split across two reads are
// held back until the next read decides.
func split(r io.Reader, delim []byte, max int, open func(i int) (io.WriteCloser, error)) (int, error) {
	var (
		buf   = make([]byte, 64<<10+len(delim))
		keep  int            // bytes held at the front of buf
		n     int            // chunks begun
		chunk io.WriteCloser // the chunk being written, if any
	)
	begin := func() error {
		if n == max {
			return errTooManyChunks
		}
		w, err := open(n)
		if err != nil {
			return err
		}
		chunk = w
		n++
		return nil
	}
	write := func(p []byte) error {
		if chunk == nil {
			if err := begin(); err != nil {
				return err
			}
		}
		if len(p) == 0 {
			return nil
		}
		_, err := chunk.Write(p)
		return err
	}
	end := func() error {
		err := chunk.Close()
		chunk = nil
		return err
	}
	for {
		m, rerr := r.Read(buf[keep:])
		data := buf[:keep+m]
		eof := rerr == io.EOF
		if rerr != nil && !eof {
			return n, rerr
		}
		for {
			i := bytes.Index(data, delim)
			if i < 0 {
				break
			}
			if err := write(data[:i]); err != nil {
				return n, err
			}
			if err := end(); err != nil {
				return n, err
			}
			data = data[i+len(delim):]
		}
		hold := 0
		if !eof {
			hold = min(len(delim)-1, len(data))
		}
		if flush := data[:len(data)-hold]; len(flush) > 0 {
			if err := write(flush); err != nil {
				return n, err
			}
		}
		keep = copy(buf, data[len(data)-hold:])
		if eof {
			if chunk != nil {
				return n, end()
			}
			return n, nil
		}
	}
}
