package fingerprint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
)

// maxHeaderBlock bounds one HTTP/1.1 request's header block.
const maxHeaderBlock = 1 << 20

// serveHTTP1 answers HTTP/1.1 requests on c until the client closes it or asks to.
// It reads each header block itself, because net/http keeps headers in a map and the
// order they were sent in is part of the fingerprint.
func (s *Server) serveHTTP1(c net.Conn, rec *Record) error {
	br := bufio.NewReader(c)
	for {
		block, err := readHeaderBlock(br)
		if err != nil {
			if errors.Is(err, io.EOF) && len(block) == 0 {
				return nil
			}
			return err
		}
		hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(block)))
		if err != nil {
			return fmt.Errorf("read http/1.1 request: %w", err)
		}
		if strings.EqualFold(hr.Header.Get("Expect"), "100-continue") {
			if _, err := io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
				return fmt.Errorf("write 100 continue: %w", err)
			}
		}
		if err := discardBody(br, hr); err != nil {
			return err
		}
		req := Request{
			Method: hr.Method, Path: hr.RequestURI, Proto: hr.Proto, Host: hr.Host,
			HeaderOrder: headerNames(block), Header: hr.Header,
		}
		body := responseBody(s.addRequest(rec, req))
		head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", len(body))
		if hr.Close {
			head += "Connection: close\r\n"
		}
		out := []byte(head + "\r\n")
		if hr.Method != http.MethodHead {
			out = append(out, body...)
		}
		if _, err := c.Write(out); err != nil {
			return fmt.Errorf("write http/1.1 response: %w", err)
		}
		if hr.Close {
			return nil
		}
	}
}

// readHeaderBlock reads a request line and its headers, through the empty line.
func readHeaderBlock(br *bufio.Reader) ([]byte, error) {
	var block []byte
	for {
		line, err := readLine(br, maxHeaderBlock-len(block))
		block = append(block, line...)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return block, io.EOF
			}
			return block, fmt.Errorf("read http/1.1 request: %w", err)
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			if len(bytes.TrimSpace(block)) == 0 {
				// Stray empty lines before a request line are allowed (RFC 9112 §2.2).
				block = block[:0]
				continue
			}
			return block, nil
		}
	}
}

// readLine reads through the next "\n", however long the line (a large cookie is
// longer than bufio's buffer), up to limit bytes.
func readLine(br *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > limit {
			return line, errors.New("header block too large")
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}

// headerNames lists the header field names of a header block in the order sent.
func headerNames(block []byte) []string {
	lines := strings.Split(string(block), "\n")
	var names []string
	for _, line := range lines[1:] {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // the end, or an obsolete continuation line
		}
		if name, _, ok := strings.Cut(line, ":"); ok {
			names = append(names, name)
		}
	}
	return names
}

// discardBody reads the request's body off the connection so the next request can be
// read.
func discardBody(br *bufio.Reader, hr *http.Request) error {
	if len(hr.TransferEncoding) > 0 && hr.TransferEncoding[0] == "chunked" {
		if _, err := io.Copy(io.Discard, httputil.NewChunkedReader(br)); err != nil {
			return fmt.Errorf("read chunked request body: %w", err)
		}
		// The chunked reader stops after the last chunk's size line; the trailer
		// section and its empty line follow.
		for {
			line, err := readLine(br, maxHeaderBlock)
			if err != nil {
				return fmt.Errorf("read request trailers: %w", err)
			}
			if len(bytes.TrimRight(line, "\r\n")) == 0 {
				return nil
			}
		}
	}
	if hr.ContentLength > 0 {
		if _, err := io.CopyN(io.Discard, br, hr.ContentLength); err != nil {
			return fmt.Errorf("read request body: %w", err)
		}
	}
	return nil
}
