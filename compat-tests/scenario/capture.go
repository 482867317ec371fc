package scenario

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// vrrpCapture is tcpdump on the bridge of a topology, writing every VRRP
// frame (IP protocol 112) that reaches the bridge to a pcap file. The bridge
// sees what the segment carries: when a balancer's port is cut off it sees
// only the other side, as a switch would.
type vrrpCapture struct {
	cmd  *exec.Cmd
	file string
}

func startCapture(bridgeNS, dir string) (*vrrpCapture, error) {
	if _, err := exec.LookPath("tcpdump"); err != nil {
		return nil, errors.New("tcpdump not installed")
	}
	c := &vrrpCapture{file: filepath.Join(dir, "vrrp.pcap")}
	// --immediate-mode: take each packet from the kernel at once (by
	// default libpcap waits for a ring block to fill or time out, and
	// packets of the last second are lost when tcpdump stops); -U: write
	// each packet to the file at once.
	c.cmd = exec.Command("ip", "netns", "exec", bridgeNS, "tcpdump", "-i", "br0", "--immediate-mode", "-U", "-n", "-s", "256", "-w", c.file, "ip proto 112")
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	// tcpdump creates the file once it listens.
	for i := 0; i < 300; i++ {
		if st, err := os.Stat(c.file); err == nil && st.Size() >= 24 {
			return c, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.stop()
	return nil, errors.New("tcpdump did not start on the bridge")
}

// stop ends tcpdump (SIGINT flushes the file) and returns the packets.
func (c *vrrpCapture) stop() ([]vrrpPacket, error) {
	if c.cmd.Process != nil {
		syscall.Kill(c.cmd.Process.Pid, syscall.SIGINT)
		done := make(chan struct{})
		go func() { c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	b, err := os.ReadFile(c.file)
	if err != nil {
		return nil, err
	}
	return parsePcap(b)
}

// vrrpPacket is one captured advert: the IP fields a VRRP receiver checks
// and the VRRP message itself.
type vrrpPacket struct {
	At       time.Time
	Src, Dst netip.Addr
	TTL, TOS byte
	Payload  []byte // the VRRP message (RFC 3768 section 5.1)
}

// String is the packet as the transcript prints it. The IP identification
// and header checksum are left out: they change from packet to packet.
func (p vrrpPacket) String() string {
	return fmt.Sprintf("%s > %s ttl %d tos 0x%02x vrrp %s", p.Src, p.Dst, p.TTL, p.TOS, spacedHex(p.Payload))
}

func spacedHex(b []byte) string {
	h := hex.EncodeToString(b)
	var parts []string
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, " ")
}

// parsePcap reads a classic pcap file of Ethernet frames (libpcap format,
// either byte order, microsecond or nanosecond stamps) and keeps the IPv4
// VRRP packets.
func parsePcap(b []byte) ([]vrrpPacket, error) {
	if len(b) < 24 {
		return nil, errors.New("pcap: short file")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	nano := false
	switch binary.LittleEndian.Uint32(b) {
	case 0xa1b2c3d4:
	case 0xa1b23c4d:
		nano = true
	default:
		bo = binary.BigEndian
		switch binary.BigEndian.Uint32(b) {
		case 0xa1b2c3d4:
		case 0xa1b23c4d:
			nano = true
		default:
			return nil, errors.New("pcap: bad magic")
		}
	}
	if lt := bo.Uint32(b[20:]); lt != 1 {
		return nil, fmt.Errorf("pcap: link type %d, want Ethernet", lt)
	}
	var out []vrrpPacket
	for off := 24; off+16 <= len(b); {
		sec, frac := bo.Uint32(b[off:]), bo.Uint32(b[off+4:])
		incl := int(bo.Uint32(b[off+8:]))
		off += 16
		if off+incl > len(b) {
			break // tcpdump stopped mid-write
		}
		frame := b[off : off+incl]
		off += incl
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		if p, ok := vrrpFromFrame(frame); ok {
			p.At = time.Unix(int64(sec), ns)
			out = append(out, p)
		}
	}
	return out, nil
}

func vrrpFromFrame(f []byte) (vrrpPacket, bool) {
	if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		return vrrpPacket{}, false
	}
	ip := f[14:]
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if ip[0]>>4 != 4 || ihl < 20 || total > len(ip) || total < ihl || ip[9] != 112 {
		return vrrpPacket{}, false
	}
	p := vrrpPacket{TOS: ip[1], TTL: ip[8]}
	p.Src, _ = netip.AddrFromSlice(ip[12:16])
	p.Dst, _ = netip.AddrFromSlice(ip[16:20])
	p.Payload = append([]byte(nil), ip[ihl:total]...)
	return p, true
}
