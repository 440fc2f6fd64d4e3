/* limits.h - every fixed limit in one place, with the reason for its value. */
#ifndef TERN_LIMITS_H
#define TERN_LIMITS_H

/* Config lines: a logical line (after joining continuations) may be long
 * (big host lists in one option), but not unbounded: a hostile or corrupt
 * file must not make the parser eat all memory. */
#define LIMIT_CONFIG_LINE (1024 * 1024)

/* .include nesting: deep enough for any sane layout, low enough to stop
 * a file that includes itself. */
#define LIMIT_CONFIG_INCLUDE_DEPTH 32

/* .ifdef nesting. */
#define LIMIT_CONFIG_IF_DEPTH 64

/* Macro expansion passes over one line: stops macros that expand to
 * themselves (A = A) from looping forever. */
#define LIMIT_MACRO_EXPANSIONS 1000

/* Macro name length, as used by Exim's macro syntax (names are words). */
#define LIMIT_MACRO_NAME 64

/* Log lines: long enough for a <= line with many recipients, short enough
 * that one write(2) with O_APPEND stays atomic in practice on local files. */
#define LIMIT_LOG_LINE (64 * 1024)

/* Driver instance names. */
#define LIMIT_DRIVER_NAME 64

/* Values in one time-list option (delay_warning): Exim accepts ten, and
 * more than that many warnings per message would be noise anyway. */
#define LIMIT_TIMELIST_VALUES 10
/* DNS answers: the largest message a DNS reply can carry over TCP
 * (RFC 1035 4.2.2 two-byte length); res_nquery retries over TCP when
 * the UDP answer is truncated. */
#define LIMIT_DNS_ANSWER 65535

/* Lookup handles kept open at once (Exim's lookup_open_max default). */
#define LIMIT_LOOKUP_OPEN_MAX 25

/* Lookup result cache entries per process before the cache is flushed:
 * bounds memory in long-lived processes that look up many keys. */
#define LIMIT_LOOKUP_CACHE 10000

/* One line (with continuations) of an lsearch file: bounds memory on a
 * corrupt file. */
#define LIMIT_LSEARCH_LINE (1024 * 1024)

/* Chained "@@" lookups in address lists (spec: no more than fifty). */
#define LIMIT_LIST_CHAIN 50

/* Named list nesting (+a refers to +b ...): stops a list that refers to
 * itself. */
#define LIMIT_LIST_NESTING 32

/* Named list results cached per message. */
#define LIMIT_LIST_CACHE 256

/* dbm keys and values written by tern_dbmbuild: one input line. */
#define LIMIT_DBMBUILD_LINE (256 * 1024)

/* Partial lookup components tried (partialN-): domain names have at
 * most 127 labels (RFC 1035 2.3.4, 255 octets). */
#define LIMIT_PARTIAL_LABELS 128
/* Numbered expansion variables $0..$n set by a regex match: Exim keeps
 * twenty, and configs written for it use no more. */
#define LIMIT_EXPAND_NUMERIC 20

/* Nesting of ${...} constructs (each level recurses in the parser): far
 * beyond any real configuration, low enough to keep the C stack safe
 * against hostile or fuzzed expansion strings. */
#define LIMIT_EXPAND_DEPTH 400

/* Names of items, operators, conditions and variables; header names in
 * $h_NAME: are bounded separately by the header line limit. */
#define LIMIT_EXPAND_NAME 256

/* ${readsocket}: default timeout (seconds) and the most bytes read back,
 * so a peer cannot fill memory. */
#define LIMIT_READSOCK_TIMEOUT 5
#define LIMIT_READSOCK_BYTES (16 * 1024 * 1024)

/* ${readfile} and ${run} output: same reasoning as readsocket. */
#define LIMIT_EXPAND_READ_BYTES (64 * 1024 * 1024)

/* -bem message file: headers plus body read into memory for $h_ and
 * $message_body. */
#define LIMIT_BEM_MESSAGE (64 * 1024 * 1024)

/* $message_body: the first N bytes of the body, as Exim's
 * message_body_visible default. */
#define LIMIT_MESSAGE_BODY_VISIBLE 500
/* EXPERIMENTAL_PROXY (haproxy.org proxy-protocol.txt). A v1 line is at most
 * 107 bytes including CRLF (section 2.1: "PROXY TCP6" with two full IPv6
 * addresses and two ports). A v2 header is 16 fixed bytes plus a body; the
 * spec (2.2) says a receiver reading 536 bytes at once can never miss a
 * complete header, so we cap the whole v2 header there. UNIQUE_ID TLVs are
 * at most 128 bytes (2.2.5). */
#define LIMIT_PROXY_V1_LINE 107
#define LIMIT_PROXY_V2_HEADER 536
#define LIMIT_PROXY_UNIQUE_ID 128

/* EXPERIMENTAL_REDIS. Words in one command: generous for HSET/SADD with a
 * few fields, small enough that argv lives on one scratch allocation.
 * Replies are capped so one lookup cannot exhaust memory (a 10 MB value
 * is fine). MOVED/ASK redirections followed per lookup: a healthy cluster
 * needs one; more means the slot map is changing under us. Timeouts in
 * seconds, for connecting and for each command's round trip. */
#define LIMIT_REDIS_ARGS 64
#define LIMIT_REDIS_REPLY (64 * 1024 * 1024)
#define LIMIT_REDIS_REDIRECTS 5
#define LIMIT_REDIS_CONNECT_TIMEOUT 5
#define LIMIT_REDIS_COMMAND_TIMEOUT 30
#define LIMIT_REDIS_SERVERS 32

/* Redirection generations (alias of an alias ...): deep enough for any
 * real alias tree (1000-level chains route), low enough that a cycle the
 * ancestor check cannot see (new names each time) ends with an error. */
#define LIMIT_REDIRECT_DEPTH 1100
#define LIMIT_BT_LINE 4096          /* one address line read by -bt/-bv from stdin */

/* Redirect data (an alias file entry, a .forward or filter file). */
#define LIMIT_REDIRECT_DATA (16 * 1024 * 1024)

/* Addresses generated by one redirection. */
#define LIMIT_REDIRECT_ITEMS 100000

/* Output kept from a pipe command for return_output. */
#define LIMIT_PIPE_OUTPUT (64 * 1024)

/* Message data copied per read when writing a message out. */
#define LIMIT_TRANSPORT_CHUNK 65536
#define LIMIT_FILTER_ARGS 64 /* words in a transport_filter command */
/* A quoted string in an Exim filter file: 1023 characters, as Exim
 * ("string is too long in line N of filter file (max = 1024 chars)").
 * Longer values (a long recipient list, a long text) come from
 * expansions or from a file. */
#define LIMIT_FILTER_STRING 1024
/* The reply address as shown in the log (">to"): the full To: list is
 * kept for the reply itself. */
#define LIMIT_FILTER_REPLY_SHOWN 256
#define LIMIT_WAIT_IDS 200 /* message ids kept per host in a wait-<transport> record */
/* smtp out: one reply line from a remote server. RFC 5321 4.5.3.1.5
 * allows 512 octets; real servers send longer text, so allow 16 times
 * that, and treat anything longer as garbage (defer, log, close). */
#define LIMIT_SMTP_REPLY_LINE 8192

/* smtp out: a whole (multi-line) reply. EHLO replies are the longest in
 * practice (a few hundred bytes); 64 KB bounds a peer that sends "250-"
 * lines forever. */
#define LIMIT_SMTP_REPLY (64 * 1024)

/* smtp out: the host list of one delivery (router hosts, transport hosts,
 * fallback_hosts, each expanded to its addresses); bounds a hostile MX set.
 * hosts_max_try_hardlimit limits what is tried; this limits what is kept. */
#define LIMIT_SMTP_HOSTS 256

/* Bounce and warning template files (bounce_message_file,
 * warn_message_file): a few KB in practice. */
#define LIMIT_BOUNCE_TEMPLATE (256 * 1024)

/* Returned message text in a bounce when bounce_return_size_limit is
 * larger: Exim caps the returned part at its own maximum as well. */
#define LIMIT_BOUNCE_RETURN (100 * 1024 * 1024)

/* Retry hints record text (the error message kept with the record). */
#define LIMIT_RETRY_TEXT 512
/* ${rfc2047} starts a new encoded word once one passes this length, so
 * that words stay near RFC 2047's 75-character limit */
#define LIMIT_RFC2047_WORD 67
/* SMTP command line (RFC 5321 section 4.5.3.1.4 says 512 octets; Exim
 * reads up to 16384 so that long AUTH lines (RFC 4954) fit). A longer
 * line is cut into pieces of this size, each handled as a command, as
 * Exim does. */
#define LIMIT_SMTP_CMD_LINE 16384

/* A TLS client's SNI host name (RFC 6066 section 3: a DNS name, so at
 * most 253 octets); longer names are ignored, never used in file names. */
#define LIMIT_TLS_SNI 253

/* Certificate/key pairs (and OCSP proofs) in one server context: OpenSSL
 * keeps one chain per key type, so a handful is already generous. */
#define LIMIT_TLS_CERTS 8

/* SMTP input buffer: how much of a pipelined group is read at once. */
#define LIMIT_SMTP_INBUF (64 * 1024)

/* Commands remembered for the C= field of "dropped" log lines
 * (Exim keeps the last 20). */
#define LIMIT_SMTP_CMD_HISTORY 20

/* Bytes of a sync-error log line's "next input" excerpt (Exim logs
 * up to 150 characters). */
#define LIMIT_SMTP_SYNC_EXCERPT 150

/* Reply text length we will build (a multi-line ACL message is split
 * into lines of its own; each line is bounded by RFC 5321 4.5.3.1.5). */
#define LIMIT_SMTP_REPLY_OUT 4096

/* Width at which an ACL's message to the client is split into lines (at
 * spaces), as Exim 4.96 does; the whole message, code included, counts. */
#define LIMIT_SMTP_REPLY_WRAP 75

/* One line of message data while receiving: longer lines are stored,
 * but counted in pieces of this size (RFC 5321 4.5.3.1.6 says 1000). */
#define LIMIT_DATA_LINE (64 * 1024)

/* Header lines per message: a backstop for header_maxsize = 0 (no size
 * limit), high enough that no message Exim accepts is refused for it
 * (1M of "a:x" lines, the default header_maxsize, is 250,000 lines). */
#define LIMIT_HEADER_LINES 300000

/* Listening sockets of one daemon (ports x interfaces). */
#define LIMIT_DAEMON_LISTENERS 64

/* Connection children the daemon tracks (smtp_accept_max may not
 * exceed this). */
#define LIMIT_DAEMON_CHILDREN 4096

/* Delivery processes the daemon runs at once for messages just received
 * (DESIGN.md section 9). Up to LIMIT_DAEMON_DELIVERIES_PER_CPU per online
 * CPU are started as soon as there is work: local delivery is CPU and
 * disk bound, and more processes than that only add forks and context
 * switches (measured on 2 cores: 16 processes delivered a third fewer
 * messages per second than 4). Beyond that, one more is started only
 * when a message has waited LIMIT_DAEMON_DELIVERY_WAIT_MS for a busy
 * one (slow remote hosts then cannot hold up new mail), up to
 * LIMIT_DAEMON_DELIVERIES, so a burst of arrivals never forks hundreds
 * of processes. Ids beyond that wait in the daemon's backlog. */
#define LIMIT_DAEMON_DELIVERIES 16
#define LIMIT_DAEMON_DELIVERIES_PER_CPU 2
#define LIMIT_DAEMON_DELIVERY_WAIT_MS 500

/* Ids of received messages the daemon holds while all delivery
 * processes are busy; beyond this a message waits for the next queue
 * run (it is safe on the spool either way). */
#define LIMIT_DAEMON_BACKLOG 4096

/* Messages one daemon delivery process takes from the backlog in one go
 * (one fork for the lot; each message is delivered in turn). */
#define LIMIT_DAEMON_DELIVERY_BATCH 32

/* Seconds a daemon delivery process waits for more work before the
 * daemon tells it to go: long enough to carry a steady stream of
 * messages without a fork each, short enough that a quiet daemon does
 * not keep LIMIT_DAEMON_DELIVERIES processes around (Postfix's max_idle
 * is 100 s). */
#define LIMIT_DAEMON_DELIVERY_IDLE 60

/* Messages one daemon delivery process delivers before it exits rather
 * than ask for more (as Postfix's max_use): bounds what a slow leak in a
 * library could grow to. */
#define LIMIT_DAEMON_DELIVERY_REUSE 1000

/* Local delivery agents (deliver_agent.c) one delivery process keeps,
 * one per identity (uid, gid, supplementary groups): a Maildir or mbox
 * host delivers to one or a few mail users' identities per process, and
 * each agent is one idle process; the least recently used goes first. */
#define LIMIT_DELIVERY_AGENTS 4

/* Bytes of results a local delivery agent may send for one request: a
 * generated reply can carry a whole returned message (autoreply
 * return_message), so this is well above message_size_limit's default. */
#define LIMIT_DELIVERY_AGENT_RESULT (256L * 1024 * 1024)

/* Largest file an autoreply transport reads for its body ("file"). */
#define LIMIT_AUTOREPLY_FILE (1024 * 1024)
/* Longest line of a once_file_size plain file ("<time> <address>"). */
#define LIMIT_AUTOREPLY_ONCE_LINE 1024

/* Authenticator instances one EHLO reply can offer (AUTH line of RFC
 * 4954 section 3); real configs have a handful. */
#define LIMIT_AUTH_INSTANCES 32

/* MIME ACL (acl_smtp_mime): multipart nesting followed before a deeper
 * multipart is treated as a leaf. Exim has no limit (it recurses once
 * per level, 8 KB of C stack each); real mail nests 3 or 4 deep. Our
 * levels are 24 bytes of pool memory each, so we follow as deep as
 * Exim copes with in practice and stop there. */
#define LIMIT_MIME_DEPTH 1000

/* MIME parts scanned per message (the ACL runs once for each); parts
 * after this many are not scanned. Real messages have a few dozen. */
#define LIMIT_MIME_PARTS 10000

/* One MIME part header (after joining continuation lines): Exim keeps
 * 8191 bytes of each (and a ";" it adds) and drops the rest; so do we. */
#define LIMIT_MIME_HEADER 8192

/* Attached messages (message/rfc822) inside attached messages: each
 * level is decoded into memory and scanned again. */
#define LIMIT_MIME_RFC822_DEPTH 8

/* decode = default names its files <id>-00000 up: the first free
 * number below this one, else the last is overwritten (Exim's figure
 * and behaviour; it bounds the names tried per decode). */
#define LIMIT_MIME_DECODE_FILES 1024

/* mime_regex matches the first 32 KB of the decoded part, and regex
 * matches lines of at most this length (Exim's figure for both). */
#define LIMIT_MIME_REGEX_SPAN 32768

/* Address rewriting. An address longer than this in a header is left
 * alone ("ridiculously long", as Exim words it): RFC 5321 section
 * 4.5.3.1.3 caps a path at 256 octets. */
#define LIMIT_ADDRESS_LENGTH 256
/* -brw refuses a longer argument, as Exim does for command-line data. */
#define LIMIT_BRW_ARGUMENT 256
/* The R flag re-applies a rule to its own result at most this many
 * times more (Exim's bound; a rule that always matches must stop). */
#define LIMIT_REWRITE_REPEAT 10
/* Rewriting inserts a line break after a grown address once the output
 * line is longer than this (Exim's 40, keeps rewritten lists readable). */
#define LIMIT_REWRITE_FOLD 40

/* control = debug/pretrigger=SIZE: debug output held in memory until a
 * trigger; larger sizes are refused (the connection child's memory). */
#define LIMIT_DEBUG_PRETRIGGER (16 * 1024 * 1024)

#endif
