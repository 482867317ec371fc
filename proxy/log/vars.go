package log

// varKind identifies what a %-variable prints; the list follows
// configuration.txt §8.2.4 "Custom log format" (table of variables).
type varKind uint8

const (
	kindText varKind = iota
	kindSeparator
	kindSample // %[expr]
	kindGlobalOpts
	kindBytesOut     // %B
	kindClientCookie // %CC
	kindServerCookie // %CS
	kindHostname     // %H
	kindUniqueID     // %ID
	kindStatus       // %ST
	kindDateGMT      // %T
	kindTa
	kindTc
	kindTh
	kindTi
	kindDateLocal // %Tl
	kindTq
	kindTr // %Tr
	kindTR // %TR
	kindTd
	kindTimestamp // %Ts
	kindTt
	kindTu
	kindTw
	kindBytesIn      // %U
	kindActConn      // %ac
	kindBackend      // %b
	kindBeConn       // %bc
	kindBackendIP    // %bi
	kindBackendPort  // %bp
	kindBackendQueue // %bq
	kindClientIP     // %ci
	kindClientPort   // %cp
	kindFrontend     // %f
	kindFeConn       // %fc
	kindFrontendIP   // %fi
	kindFrontendPort // %fp
	kindFrontendXprt // %ft
	kindReqHeaders   // %hr
	kindReqHdrList   // %hrl
	kindRspHeaders   // %hs
	kindRspHdrList   // %hsl
	kindMethod       // %HM
	kindPath         // %HP
	kindPathOnly     // %HPO
	kindQuery        // %HQ
	kindURI          // %HU
	kindVersion      // %HV
	kindLogCount     // %lc
	kindMillis       // %ms
	kindPID          // %pid
	kindRequest      // %r
	kindRetries      // %rc
	kindReqCounter   // %rt
	kindServer       // %s
	kindSrvConn      // %sc
	kindServerIP     // %si
	kindServerPort   // %sp
	kindSrvQueue     // %sq
	kindSSLCipher    // %sslc
	kindSSLVersion   // %sslv
	kindDate         // %t
	kindReqDate      // %tr
	kindReqDateGMT   // %trg
	kindReqDateLocal // %trl
	kindTermState    // %ts
	kindTermStateCk  // %tsc
)

type varDef struct {
	name     string
	kind     varKind
	httpOnly bool
}

// variables is haproxy 2.6's logformat_keywords[] table (src/log.c); names
// are case-sensitive and matched in this order.
var variables = []varDef{
	{"o", kindGlobalOpts, false},
	{"B", kindBytesOut, false},
	{"CC", kindClientCookie, true},
	{"CS", kindServerCookie, true},
	{"H", kindHostname, false},
	{"ID", kindUniqueID, false},
	{"ST", kindStatus, false},
	{"T", kindDateGMT, false},
	{"Ta", kindTa, true},
	{"Tc", kindTc, false},
	{"Th", kindTh, false},
	{"Ti", kindTi, true},
	{"Tl", kindDateLocal, false},
	{"Tq", kindTq, true},
	{"Tr", kindTr, true},
	{"TR", kindTR, true},
	{"Td", kindTd, false},
	{"Ts", kindTimestamp, false},
	{"Tt", kindTt, false},
	{"Tu", kindTu, false},
	{"Tw", kindTw, false},
	{"U", kindBytesIn, false},
	{"ac", kindActConn, false},
	{"b", kindBackend, false},
	{"bc", kindBeConn, false},
	{"bi", kindBackendIP, false},
	{"bp", kindBackendPort, false},
	{"bq", kindBackendQueue, false},
	{"ci", kindClientIP, false},
	{"cp", kindClientPort, false},
	{"f", kindFrontend, false},
	{"fc", kindFeConn, false},
	{"fi", kindFrontendIP, false},
	{"fp", kindFrontendPort, false},
	{"ft", kindFrontendXprt, false},
	{"hr", kindReqHeaders, false},
	{"hrl", kindReqHdrList, false},
	{"hs", kindRspHeaders, false},
	{"hsl", kindRspHdrList, false},
	{"HM", kindMethod, true},
	{"HP", kindPath, true},
	{"HPO", kindPathOnly, true},
	{"HQ", kindQuery, true},
	{"HU", kindURI, true},
	{"HV", kindVersion, true},
	{"lc", kindLogCount, false},
	{"ms", kindMillis, false},
	{"pid", kindPID, false},
	{"r", kindRequest, true},
	{"rc", kindRetries, false},
	{"rt", kindReqCounter, false},
	{"s", kindServer, false},
	{"sc", kindSrvConn, false},
	{"si", kindServerIP, false},
	{"sp", kindServerPort, false},
	{"sq", kindSrvQueue, false},
	{"sslc", kindSSLCipher, false},
	{"sslv", kindSSLVersion, false},
	{"t", kindDate, false},
	{"tr", kindReqDate, true},
	{"trg", kindReqDateGMT, true},
	{"trl", kindReqDateLocal, true},
	{"ts", kindTermState, false},
	{"tsc", kindTermStateCk, false},
}

// Option flags a variable may carry (%{+Q}var etc.).
type Options uint8

const (
	OptMandatory Options = 1 << iota // M: print '-' for an empty value
	OptQuote                         // Q: surround with double quotes
	OptHexa                          // X: hexadecimal addresses, ports, numbers
	OptEscape                        // E: backslash-escape '"', '\' and ']'
)

var optionLetters = []struct {
	name string
	opt  Options
}{{"M", OptMandatory}, {"Q", OptQuote}, {"X", OptHexa}, {"E", OptEscape}}
