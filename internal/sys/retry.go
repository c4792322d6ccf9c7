package sys

// IgnoringEINTR calls f until it fails with anything but EINTR: a signal
// delivered during a call that can block (Go's runtime sends them to
// preempt goroutines) interrupts it without meaning anything.
func IgnoringEINTR[T any](f func() (T, error)) (T, error) {
	for {
		v, err := f()
		if err != EINTR {
			return v, err
		}
	}
}

// WriteAll writes all of p to fd, as many write(2)s as it takes, and
// returns how much was written.
func WriteAll(fd int, p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := Write(fd, p[written:])
		if err == EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}
