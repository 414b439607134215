package fingerprint

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The HTTP/2 side answers requests itself with a Framer rather than through
// http2.Server: the header order of every request (not only the first) is only in the
// HPACK block, which http2.Server decodes into a map.

const (
	defaultWindow   = 65535
	defaultMaxFrame = 16384
)

type h2Stream struct {
	id      uint32
	req     Request
	window  int64
	body    []byte // response bytes still to send
	replied bool   // HEADERS sent
}

type h2Conn struct {
	s        *Server
	rec      *Record
	fr       *http2.Framer
	bw       *bufio.Writer
	enc      *hpack.Encoder
	encBuf   bytes.Buffer
	streams  map[uint32]*h2Stream
	window   int64 // connection send window
	initial  int64 // client's SETTINGS_INITIAL_WINDOW_SIZE
	maxFrame uint32
	seenHdrs bool // the first HEADERS frame has arrived: the fingerprint is complete
	settings bool // the first SETTINGS frame has arrived
}

func (s *Server) serveH2(c net.Conn, rec *Record) error {
	br := bufio.NewReader(c)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(br, preface); err != nil {
		if errors.Is(err, io.EOF) {
			// Chromium opens a spare connection it may close unused.
			return nil
		}
		return fmt.Errorf("read http2 preface: %w", err)
	}
	if string(preface) != http2.ClientPreface {
		return errors.New("read http2 preface: not the client preface")
	}
	h := &h2Conn{
		s: s, rec: rec, bw: bufio.NewWriter(c),
		streams: map[uint32]*h2Stream{},
		window:  defaultWindow, initial: defaultWindow, maxFrame: defaultMaxFrame,
	}
	h.fr = http2.NewFramer(h.bw, br)
	h.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	h.enc = hpack.NewEncoder(&h.encBuf)
	s.mu.Lock()
	rec.H2 = &H2{}
	s.mu.Unlock()
	if err := h.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100}); err != nil {
		return fmt.Errorf("write http2 settings: %w", err)
	}
	if err := h.bw.Flush(); err != nil {
		return fmt.Errorf("write http2 settings: %w", err)
	}
	for {
		f, err := h.fr.ReadFrame()
		var se http2.StreamError
		if errors.As(err, &se) {
			// The Framer read the whole frame (and kept HPACK in step): the connection
			// goes on without that stream.
			if err := h.resetStream(se); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return h.readError(err)
		}
		if err := h.handle(f); err != nil {
			return err
		}
		if err := h.flush(); err != nil {
			return err
		}
	}
}

// resetStream answers a stream error, such as a request with an invalid header
// field, with RST_STREAM: only that stream ends.
func (h *h2Conn) resetStream(se http2.StreamError) error {
	delete(h.streams, se.StreamID)
	if err := h.fr.WriteRSTStream(se.StreamID, se.Code); err != nil {
		return fmt.Errorf("write http2 rst_stream: %w", err)
	}
	return h.flush()
}

// readError ends the connection on a read error other than a stream error, telling
// the client why when it was its fault.
func (h *h2Conn) readError(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	var ce http2.ConnectionError
	if errors.As(err, &ce) {
		_ = h.fr.WriteGoAway(0, http2.ErrCode(ce), nil)
		_ = h.bw.Flush()
	}
	return fmt.Errorf("read http2 frame: %w", err)
}

func (h *h2Conn) handle(f http2.Frame) error {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		if f.IsAck() {
			return nil
		}
		return h.settingsFrame(f)
	case *http2.WindowUpdateFrame:
		h.windowUpdate(f)
	case *http2.PriorityFrame:
		if !h.seenHdrs {
			h.s.mu.Lock()
			h.rec.H2.Priorities = append(h.rec.H2.Priorities, priority(f.StreamID, f.PriorityParam))
			h.s.mu.Unlock()
		}
	case *http2.MetaHeadersFrame:
		return h.headers(f)
	case *http2.DataFrame:
		return h.data(f)
	case *http2.PingFrame:
		if !f.IsAck() {
			if err := h.fr.WritePing(true, f.Data); err != nil {
				return fmt.Errorf("write http2 ping: %w", err)
			}
		}
	case *http2.RSTStreamFrame:
		delete(h.streams, f.StreamID)
	case *http2.GoAwayFrame:
		return io.EOF
	}
	return nil
}

func (h *h2Conn) settingsFrame(f *http2.SettingsFrame) error {
	var got []Setting
	err := f.ForeachSetting(func(st http2.Setting) error {
		got = append(got, Setting{ID: uint16(st.ID), Value: st.Val})
		switch st.ID {
		case http2.SettingInitialWindowSize:
			delta := int64(st.Val) - h.initial
			h.initial = int64(st.Val)
			for _, s := range h.streams {
				s.window += delta
			}
		case http2.SettingMaxFrameSize:
			h.maxFrame = st.Val
		case http2.SettingHeaderTableSize:
			h.enc.SetMaxDynamicTableSizeLimit(st.Val)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read http2 settings: %w", err)
	}
	if !h.settings {
		h.settings = true
		h.s.mu.Lock()
		h.rec.H2.Settings = got
		h.s.mu.Unlock()
	}
	if err := h.fr.WriteSettingsAck(); err != nil {
		return fmt.Errorf("write http2 settings ack: %w", err)
	}
	return nil
}

func (h *h2Conn) windowUpdate(f *http2.WindowUpdateFrame) {
	if f.StreamID != 0 {
		if s, ok := h.streams[f.StreamID]; ok {
			s.window += int64(f.Increment)
		}
		return
	}
	h.window += int64(f.Increment)
	if !h.seenHdrs {
		h.s.mu.Lock()
		if h.rec.H2.WindowUpdate == 0 {
			h.rec.H2.WindowUpdate = f.Increment
		}
		h.s.mu.Unlock()
	}
}

func (h *h2Conn) headers(f *http2.MetaHeadersFrame) error {
	id := f.StreamID
	if s, ok := h.streams[id]; ok {
		// Trailers end a request that had a body.
		if f.StreamEnded() {
			return h.reply(s)
		}
		return nil
	}
	req := Request{Proto: "HTTP/2.0", Header: http.Header{}}
	var pseudo []string
	for _, hf := range f.Fields {
		req.HeaderOrder = append(req.HeaderOrder, hf.Name)
		switch hf.Name {
		case ":method":
			req.Method = hf.Value
		case ":path":
			req.Path = hf.Value
		case ":authority":
			req.Host = hf.Value
		}
		if strings.HasPrefix(hf.Name, ":") {
			pseudo = append(pseudo, hf.Name)
			continue
		}
		req.Header.Add(hf.Name, hf.Value)
	}
	if !h.seenHdrs {
		h.seenHdrs = true
		h.s.mu.Lock()
		h.rec.H2.PseudoHeaderOrder = pseudo
		if f.HasPriority() {
			p := priority(id, f.Priority)
			h.rec.H2.HeadersPriority = &p
		}
		h.rec.Akamai = akamai(h.rec.H2)
		h.s.mu.Unlock()
	}
	s := &h2Stream{id: id, req: req, window: h.initial}
	h.streams[id] = s
	if f.StreamEnded() {
		return h.reply(s)
	}
	return nil
}

// data reads a request body away, giving the client its window back so a large body
// cannot stall the connection.
func (h *h2Conn) data(f *http2.DataFrame) error {
	if n := f.Length; n > 0 {
		if err := h.fr.WriteWindowUpdate(0, n); err != nil {
			return fmt.Errorf("write http2 window update: %w", err)
		}
		if _, ok := h.streams[f.StreamID]; ok && !f.StreamEnded() {
			if err := h.fr.WriteWindowUpdate(f.StreamID, n); err != nil {
				return fmt.Errorf("write http2 window update: %w", err)
			}
		}
	}
	if s, ok := h.streams[f.StreamID]; ok && f.StreamEnded() {
		return h.reply(s)
	}
	return nil
}

// reply records the request and queues its answer: the Record so far, as JSON.
func (h *h2Conn) reply(s *h2Stream) error {
	body := responseBody(h.s.addRequest(h.rec, s.req))
	if s.req.Method == http.MethodHead {
		s.body = nil
	} else {
		s.body = body
	}
	h.encBuf.Reset()
	for _, f := range []hpack.HeaderField{
		{Name: ":status", Value: "200"},
		{Name: "content-type", Value: "application/json"},
		{Name: "content-length", Value: strconv.Itoa(len(body))},
	} {
		if err := h.enc.WriteField(f); err != nil {
			return fmt.Errorf("encode http2 response headers: %w", err)
		}
	}
	// The block is three short fields: one HEADERS frame always holds it.
	err := h.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: s.id, BlockFragment: h.encBuf.Bytes(), EndHeaders: true, EndStream: len(s.body) == 0,
	})
	if err != nil {
		return fmt.Errorf("write http2 response headers: %w", err)
	}
	s.replied = true
	if len(s.body) == 0 {
		delete(h.streams, s.id)
	}
	return nil
}

// flush sends what the flow-control windows allow of each answered stream's body.
func (h *h2Conn) flush() error {
	ids := make([]uint32, 0, len(h.streams))
	for id, s := range h.streams {
		if s.replied && len(s.body) > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		s := h.streams[id]
		for len(s.body) > 0 {
			n := min(int64(len(s.body)), int64(h.maxFrame), h.window, s.window)
			if n <= 0 {
				break
			}
			end := n == int64(len(s.body))
			if err := h.fr.WriteData(s.id, end, s.body[:n]); err != nil {
				return fmt.Errorf("write http2 data: %w", err)
			}
			s.body = s.body[n:]
			h.window -= n
			s.window -= n
		}
		if len(s.body) == 0 {
			delete(h.streams, id)
		}
	}
	if err := h.bw.Flush(); err != nil {
		return fmt.Errorf("write http2 frames: %w", err)
	}
	return nil
}

func priority(id uint32, p http2.PriorityParam) Priority {
	return Priority{StreamID: id, Exclusive: p.Exclusive, DependsOn: p.StreamDep, Weight: uint16(p.Weight) + 1}
}

// akamai is the Akamai HTTP/2 fingerprint (Shuster and Kiver, Black Hat EU 2017):
// "S|WU|P|PS", e.g. 1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p.
func akamai(h *H2) string {
	settings := make([]string, len(h.Settings))
	for i, s := range h.Settings {
		settings[i] = fmt.Sprintf("%d:%d", s.ID, s.Value)
	}
	wu := "00"
	if h.WindowUpdate != 0 {
		wu = strconv.FormatUint(uint64(h.WindowUpdate), 10)
	}
	prio := "0"
	if len(h.Priorities) > 0 {
		ps := make([]string, len(h.Priorities))
		for i, p := range h.Priorities {
			excl := 0
			if p.Exclusive {
				excl = 1
			}
			ps[i] = fmt.Sprintf("%d:%d:%d:%d", p.StreamID, excl, p.DependsOn, p.Weight)
		}
		prio = strings.Join(ps, ",")
	}
	pseudo := make([]string, 0, len(h.PseudoHeaderOrder))
	for _, p := range h.PseudoHeaderOrder {
		if name := strings.TrimPrefix(p, ":"); name != "" {
			pseudo = append(pseudo, name[:1])
		}
	}
	return strings.Join(settings, ";") + "|" + wu + "|" + prio + "|" + strings.Join(pseudo, ",")
}
