package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoPostgreSQL means no PostgreSQL installation was found for a private cluster. Its message
// says what to install.
var ErrNoPostgreSQL = errors.New("no PostgreSQL installation found (initdb and pg_ctl): " +
	"install it (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15) " +
	"or set CASELEDGER_DATABASE_URL to a server you run")

// privateCluster is a PostgreSQL cluster this process runs for itself under <data dir>/pg, on a free
// loopback port, with a random superuser password kept in <data dir>/pg.password (0600). It only
// listens on 127.0.0.1 and has no Unix socket.
type privateCluster struct {
	dir      string // the cluster's data directory
	bindir   string // holds initdb, pg_ctl and postgres
	runAs    string // "" or the user that runs the server when this process is root
	port     int
	password string
	owned    bool // this process started the server and stops it on close
	logger   *slog.Logger
}

// startPrivateCluster initialises the cluster under dataDir/pg when it does not exist yet and
// starts it, or adopts it when it is already running (another caseledger process started it; the
// adopter does not stop it). When this process runs as root, initdb and postgres run as the
// postgres user, which must exist and be able to reach dataDir.
func startPrivateCluster(ctx context.Context, dataDir string, logger *slog.Logger) (*privateCluster, error) {
	bindir, err := findPostgresBinaries()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("private cluster: %w", err)
	}
	c := &privateCluster{dir: filepath.Join(abs, "pg"), bindir: bindir, logger: logger}
	if os.Geteuid() == 0 {
		c.runAs = "postgres"
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("private cluster: %w", err)
	}
	if err := c.letServerUserTraverse(abs); err != nil {
		return nil, err
	}
	if c.password, err = readOrCreateSecret(filepath.Join(abs, "pg.password")); err != nil {
		return nil, fmt.Errorf("private cluster: %w", err)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	if port, ok := c.runningPort(ctx); ok {
		c.port = port
		logger.Info("private PostgreSQL cluster already running; using it", "dir", c.dir, "port", port)
		return c, nil
	}
	if err := c.start(ctx); err != nil {
		// Another process may have started the cluster in the meantime: use it.
		if port, ok := c.runningPort(ctx); ok {
			c.port = port
			logger.Info("private PostgreSQL cluster started by another process; using it", "dir", c.dir, "port", port)
			return c, nil
		}
		return nil, err
	}
	return c, nil
}

// URL returns the URL of database name on the cluster, as its superuser.
func (c *privateCluster) URL(name string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword("postgres", c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + name,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop stops the server with a fast shutdown if this process started it; otherwise it does
// nothing.
func (c *privateCluster) Stop() error {
	if !c.owned {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := c.cmd(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "-t", "50", "stop").CombinedOutput(); err != nil {
		return fmt.Errorf("private cluster: stop: %v: %s", err, bytes.TrimSpace(out))
	}
	c.owned = false
	c.logger.Info("private PostgreSQL cluster stopped", "dir", c.dir)
	return nil
}

func (c *privateCluster) initdb(ctx context.Context) error {
	created := false
	if _, err := os.Stat(c.dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(c.dir, 0o700); err != nil {
			return fmt.Errorf("private cluster: %w", err)
		}
		created = true
	}
	// The password file sits beside the cluster directory (initdb wants that one empty), readable
	// only by the server's user, and is removed as soon as initdb has used it.
	pwfile := c.dir + ".initdb-password"
	if err := os.WriteFile(pwfile, []byte(c.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	defer os.Remove(pwfile)
	if err := c.chown(pwfile); err != nil {
		return err
	}
	if err := c.chownToServerUser(); err != nil {
		return err
	}
	c.logger.Info("initialising private PostgreSQL cluster", "dir", c.dir, "bindir", c.bindir)
	out, err := c.cmd(ctx, "initdb", "-D", c.dir, "-U", "postgres", "--pwfile", pwfile,
		"--auth=scram-sha-256", "--encoding=UTF8", "--no-locale").CombinedOutput()
	if err != nil {
		if created {
			_ = os.RemoveAll(c.dir)
		}
		return fmt.Errorf("private cluster: initdb: %v: %s", err, lastLines(out, 5))
	}
	return nil
}

func (c *privateCluster) start(ctx context.Context) error {
	port, err := freeLoopbackPort()
	if err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", port)
	logFile := filepath.Join(c.dir, "server.log")
	out, err := c.cmd(ctx, "pg_ctl", "-D", c.dir, "-l", logFile, "-o", opts, "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("private cluster: pg_ctl start: %v: %s %s", err, bytes.TrimSpace(out), lastLines(tail, 5))
	}
	c.port, c.owned = port, true
	c.logger.Info("private PostgreSQL cluster started", "dir", c.dir, "port", port)
	return nil
}

// runningPort reports whether a server is running on the cluster directory and, if so, its port
// (line 4 of postmaster.pid).
func (c *privateCluster) runningPort(ctx context.Context) (int, bool) {
	if err := c.cmd(ctx, "pg_ctl", "-D", c.dir, "status").Run(); err != nil {
		return 0, false
	}
	pid, err := os.ReadFile(filepath.Join(c.dir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(pid), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	return port, err == nil
}

// cmd returns the command that runs the PostgreSQL program name, as the server user when this
// process is root. It runs in its own process group so that a terminal's Ctrl-C reaches only this
// process, which then stops the cluster in order.
func (c *privateCluster) cmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	prog := filepath.Join(c.bindir, name)
	var cmd *exec.Cmd
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", prog}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, prog, args...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Env = append(os.Environ(), "LC_ALL=C") // C exists everywhere; the cluster is UTF-8 regardless
	return cmd
}

// chownToServerUser gives the cluster directory to the server user and checks that this user can
// reach it through every parent directory.
func (c *privateCluster) chownToServerUser() error {
	if c.runAs == "" {
		return nil
	}
	if err := c.chown(c.dir); err != nil {
		return err
	}
	if err := exec.Command("runuser", "-u", c.runAs, "--", "test", "-w", c.dir).Run(); err != nil {
		return fmt.Errorf("private cluster: running as root, so PostgreSQL must run as the %q user, "+
			"but that user cannot write %s (check the permissions of its parent directories), "+
			"or set CASELEDGER_DATABASE_URL to a server you run", c.runAs, c.dir)
	}
	return nil
}

// letServerUserTraverse lets the server user pass through dir (the data directory, which may be
// private to root because the keyring created it 0700 for the master keyset) to reach dir/pg:
// it adds search permission only, so the server user still cannot list or read anything in it.
func (c *privateCluster) letServerUserTraverse(dir string) error {
	if c.runAs == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	if fi.Mode().Perm()&0o001 != 0 {
		return nil
	}
	if err := os.Chmod(dir, fi.Mode().Perm()|0o011); err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	c.logger.Info("data directory made traversable (not readable) for the PostgreSQL server user", "dir", dir)
	return nil
}

// chown gives path to the server user when this process runs as root.
func (c *privateCluster) chown(path string) error {
	if c.runAs == "" {
		return nil
	}
	u, err := user.Lookup(c.runAs)
	if err != nil {
		return fmt.Errorf("private cluster: initdb and postgres refuse to run as root and there is no %q user "+
			"to run them as: create it (Debian: apt-get install postgresql does), run caseledger as an "+
			"ordinary user, or set CASELEDGER_DATABASE_URL", c.runAs)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("private cluster: %w", err)
	}
	return nil
}

// findPostgresBinaries returns the directory holding initdb, pg_ctl and postgres among
// postgresCandidates, or ErrNoPostgreSQL.
func findPostgresBinaries() (string, error) {
	return findPostgresBinariesIn(postgresCandidates())
}

// postgresCandidates lists where PostgreSQL's programs may be, best first: pg_config --bindir, then
// the newest /usr/lib/postgresql/*/bin, then the usual Homebrew and source install locations.
func postgresCandidates() []string {
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return versionOf(debian[i]) > versionOf(debian[j]) })
	candidates = append(candidates, debian...)
	return append(candidates,
		"/opt/homebrew/opt/postgresql@15/bin", "/usr/local/opt/postgresql@15/bin", "/usr/local/pgsql/bin")
}

// findPostgresBinariesIn returns the first of dirs that holds initdb, pg_ctl and postgres, or
// ErrNoPostgreSQL.
func findPostgresBinariesIn(dirs []string) (string, error) {
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) &&
			isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", ErrNoPostgreSQL
}

// versionOf returns the major version in a path like /usr/lib/postgresql/15/bin, or 0.
func versionOf(bindir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freeLoopbackPort asks the kernel for a free TCP port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readOrCreateSecret returns the secret stored in path, creating a random one (mode 0600) when the
// file does not exist.
func readOrCreateSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s, nil
		}
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := hex.EncodeToString(b[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", err
	}
	return s, f.Close()
}

// lastLines returns at most n trailing lines of out, for error messages.
func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
