package keepalived

import "strings"

// The LVS blocks (read by keepalived's checker process) are kept as words
// and not run by govrrpd. Their keyword tables are those of keepalived
// 2.2.7 (check/check_parser.c init_check_keywords and the check_*.c
// install_*_check_keyword functions), so that an unknown keyword inside
// them is reported as keepalived reports it; the values themselves are not
// validated yet.

// kwTree builds a section of keywords that record their line in the
// current raw block; a name followed by subs has a block.
type kwTree map[string]*section

func recordingSection(names string, subs kwTree) *section {
	s := &section{}
	for _, n := range strings.Fields(names) {
		k := &keyword{name: n, handler: recordLine}
		if sub, ok := subs[n]; ok {
			k.sub = sub
		}
		s.keywords = append(s.keywords, k)
	}
	return s
}

func recordLine(p *pass, w []string) {
	if p.st.raw != nil {
		p.st.raw.Lines = append(p.st.raw.Lines, append([]string{}, w...))
	}
}

// checkerCommon is install_checker_common_keywords(connection keywords).
const checkerCommon = "retry delay_before_retry warmup delay_loop alpha log_all_failures"
const checkerConnection = "connect_ip connect_port bindto bind_port bind_if connect_timeout fwmark"

func checkerSections() kwTree {
	conn := checkerConnection + " " + checkerCommon
	url := recordingSection("path digest status_code virtualhost regex regex_no_match regex_options regex_min_offset regex_max_offset regex_stack", nil)
	http := recordingSection(conn+" nb_get_retry virtualhost http_protocol enable_sni fast_recovery url", kwTree{"url": url})
	smtpHost := recordingSection(conn, nil)
	checks := kwTree{
		"HTTP_GET":   http,
		"SSL_GET":    http,
		"MISC_CHECK": recordingSection(checkerCommon+" misc_path misc_timeout misc_dynamic user", nil),
		"SMTP_CHECK": recordingSection("helo_name "+conn+" host", kwTree{"host": smtpHost}),
		"TCP_CHECK":  recordingSection(conn, nil),
		"PING_CHECK": recordingSection(conn, nil),
		"UDP_CHECK":  recordingSection(conn+" payload require_reply min_reply_length max_reply_length", nil),
		"DNS_CHECK":  recordingSection(conn+" type name", nil),
		"FILE_CHECK": recordingSection("track_file weight", nil),
		"BFD_CHECK":  recordingSection("name alpha", nil),
	}
	var checkNames []string
	for n := range checks {
		checkNames = append(checkNames, n)
	}
	realServer := recordingSection("weight lvs_method uthreshold lthreshold inhibit_on_failure notify_up notify_down alpha retry delay_before_retry warmup connect_timeout delay_loop smtp_alert virtualhost snmp_name "+strings.Join(checkNames, " "), checks)
	virtualServer := recordingSection(`ip_family retry delay_before_retry warmup connect_timeout delay_loop
		inhibit_on_failure lb_algo lvs_sched hashed ops flag-1 flag-2 flag-3 sh-port sh-fallback mh-port
		mh-fallback lb_kind lvs_method persistence_engine persistence_timeout persistence_granularity
		protocol ha_suspend smtp_alert virtualhost snmp_name alpha omega quorum_up quorum_down quorum
		hysteresis weight sorry_server sorry_server_inhibit sorry_server_lvs_method real_server`,
		kwTree{"real_server": realServer})
	return kwTree{
		"virtual_server": virtualServer,
		"SSL":            recordingSection("password ca certificate key", nil),
	}
}

// vsgHandler keeps a virtual_server_group: its name, then a block of
// addresses, ranges and fwmarks (read as a value block by keepalived).
func vsgHandler(p *pass, w []string) {
	rb := p.rawBlock(w)
	block := append([]string{w[0]}, w[min(2, len(w)):]...)
	p.valueBlock(block, func(v []string) { rb.Lines = append(rb.Lines, v) })
}
