// Package pcapfile reads the classic libpcap capture format that tcpdump -w
// writes. It exists so that tests can replay the frames captured from the
// real keepalived (vrrp/testdata/golden) without a cgo libpcap dependency.
package pcapfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
)

// LinkTypeEthernet is the only link type our captures use (DLT_EN10MB).
const LinkTypeEthernet = 1

// Frame is one captured link-layer frame with its capture timestamp.
type Frame struct {
	Time time.Time
	Data []byte
}

// ErrFormat reports a file that is not a classic pcap capture.
var ErrFormat = errors.New("pcapfile: not a classic pcap file")

// ReadFile returns every frame of the capture at path, and its link type.
func ReadFile(path string) ([]Frame, uint32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	return Parse(b)
}

// Parse decodes a whole capture held in memory. Both microsecond and
// nanosecond resolution magics are accepted, in either byte order.
func Parse(b []byte) ([]Frame, uint32, error) {
	if len(b) < 24 {
		return nil, 0, ErrFormat
	}
	var order binary.ByteOrder
	var nanos bool
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
		order = binary.LittleEndian
	case 0xa1b23c4d:
		order, nanos = binary.LittleEndian, true
	case 0xd4c3b2a1:
		order = binary.BigEndian
	case 0x4d3cb2a1:
		order, nanos = binary.BigEndian, true
	default:
		return nil, 0, ErrFormat
	}
	link := order.Uint32(b[20:24])
	var frames []Frame
	for off := 24; off < len(b); {
		if len(b)-off < 16 {
			return frames, link, fmt.Errorf("pcapfile: truncated record header at offset %d", off)
		}
		sec := int64(order.Uint32(b[off:]))
		frac := int64(order.Uint32(b[off+4:]))
		capLen := int(order.Uint32(b[off+8:]))
		off += 16
		if capLen > len(b)-off {
			return frames, link, fmt.Errorf("pcapfile: truncated record at offset %d", off)
		}
		if !nanos {
			frac *= 1000
		}
		frames = append(frames, Frame{Time: time.Unix(sec, frac), Data: b[off : off+capLen]})
		off += capLen
	}
	return frames, link, nil
}
