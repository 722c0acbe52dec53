package replay

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/agenttrace/otelagent/internal/tracefile"
)

// Progress is the state of a replay, reported through Config.Progress.
type Progress struct {
	File                string
	Spans, Sent, Failed int64
	// BytesRead and BytesTotal measure the named files read so far and in all (0 when unknown,
	// as for standard input).
	BytesRead, BytesTotal int64
	Done                  bool
}

// Result is what a replay did.
type Result struct {
	Files    int   // inputs read
	Spans    int64 // spans read
	Sent     int64 // spans the receiver accepted (0 on a dry run)
	Failed   int64 // spans not delivered: refused, or every attempt failed
	Requests int   // export requests that were answered or gave up
	Retries  int   // attempts after a retryable failure
	// BadLines counts the lines skipped as tracefile.ReadTraces does: not OTLP/JSON trace
	// records, so nothing of them could be sent. They are warnings, not failures.
	BadLines int
	Errors   []string // the last error of each failed request
	Warnings []string // skipped lines and skipped metrics files, naming file and line
}

// Delivered reports whether every span read was sent (or counted, on a dry run). Skipped
// lines (BadLines) do not count: they held no span that could be read.
func (r Result) Delivered() bool { return r.Failed == 0 }

// maxErrors bounds Result.Errors.
const maxErrors = 20

// Replay reads the OTLP/JSON trace files (gzipped or not; "-" reads stdin) and sends their
// spans to the endpoint of cfg in batches of at most cfg.BatchSpans spans, keeping every ID,
// timestamp, resource and scope, with up to cfg.Concurrency requests in flight while the files
// are read on. A request that fails with a retryable status is retried with
// exponential backoff. The error is for what stops the replay (bad configuration, an input
// that cannot be opened, ctx done); spans that were not delivered are counted in the Result.
// Calls are independent of each other and may run concurrently.
func Replay(ctx context.Context, cfg Config, files []string, stdin io.Reader) (Result, error) {
	var res Result
	cfg, err := cfg.withDefaults()
	if err != nil {
		return res, err
	}
	var snd sender
	if !cfg.DryRun {
		if snd, err = newSender(cfg); err != nil {
			return res, err
		}
		defer snd.close()
	}
	p := &player{cfg: cfg, snd: snd, res: &res, batch: ptrace.NewTraces()}
	if !cfg.DryRun {
		p.startSenders(ctx)
	}
	err = p.run(ctx, files, stdin)
	// Every request in flight is answered (or given up) before Replay returns, so no sender
	// outlives it and the Result is final.
	if werr := p.wait(ctx); err == nil {
		err = werr
	}
	if err != nil {
		return res, err
	}
	p.prog.Done = true
	p.report()
	return res, nil
}

func (p *player) run(ctx context.Context, files []string, stdin io.Reader) error {
	for _, name := range files {
		if name != tracefile.Stdin {
			if fi, err := os.Stat(name); err == nil {
				p.prog.BytesTotal += fi.Size()
			}
		}
	}
	for _, name := range files {
		if err := p.file(ctx, name, stdin); err != nil {
			return err
		}
	}
	return p.flush(ctx)
}

type player struct {
	cfg   Config
	snd   sender
	res   *Result
	batch ptrace.Traces
	n     int // spans in batch
	prog  Progress

	// The senders: cfg.Concurrency goroutines taking requests from jobs and answering on
	// outcomes, which has room for all of them, so a sender never waits for the reader.
	jobs     chan job
	outcomes chan outcome
	inflight int  // requests handed to the senders and not yet accounted
	canceled bool // a request ended because ctx did
	senders  sync.WaitGroup
}

// job is one request for the senders.
type job struct {
	req ptraceotlp.ExportRequest
	n   int64 // spans in it
}

// outcome is what became of one job.
type outcome struct {
	sent, failed int64
	retries      int
	err          string // why spans were not delivered
	canceled     bool   // ctx ended before the request was answered
}

func (p *player) report() {
	if p.cfg.Progress != nil {
		p.prog.Spans, p.prog.Sent, p.prog.Failed = p.res.Spans, p.res.Sent, p.res.Failed
		p.cfg.Progress(p.prog)
	}
}

// countingReader counts the bytes read from a file, for progress.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	*c.n += int64(n)
	return n, err
}

func (p *player) file(ctx context.Context, name string, stdin io.Reader) error {
	rc, err := tracefile.Open(name, stdin)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if name != tracefile.Stdin {
		r = countingReader{r: rc, n: &p.prog.BytesRead}
	}
	p.prog.File = name
	p.res.Files++
	var sendErr error // from sending, returned as is
	res, err := tracefile.ReadTraces(r, name, func(td ptrace.Traces, _ int) error {
		if sendErr = ctx.Err(); sendErr == nil {
			sendErr = p.add(ctx, td)
		}
		return sendErr
	})
	p.res.BadLines += res.Skipped
	p.res.Warnings = append(p.res.Warnings, res.Warnings...)
	if res.Metrics {
		p.res.Files--
	}
	if err != nil && sendErr == nil {
		return fmt.Errorf("replay: %w", err)
	}
	return err
}

// add queues the spans of td, sending full batches.
func (p *player) add(ctx context.Context, td ptrace.Traces) error {
	n := td.SpanCount()
	if n == 0 {
		return nil
	}
	p.res.Spans += int64(n)
	if p.n > 0 && p.n+n > p.cfg.BatchSpans {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	td.ResourceSpans().MoveAndAppendTo(p.batch.ResourceSpans())
	p.n += n
	if p.n >= p.cfg.BatchSpans {
		return p.flush(ctx)
	}
	return nil
}

func (p *player) addError(msg string) {
	if len(p.res.Errors) < maxErrors {
		p.res.Errors = append(p.res.Errors, msg)
	} else if len(p.res.Errors) == maxErrors {
		p.res.Errors = append(p.res.Errors, "(more errors not shown)")
	}
}

func (p *player) startSenders(ctx context.Context) {
	p.jobs = make(chan job)
	p.outcomes = make(chan outcome, p.cfg.Concurrency)
	for range p.cfg.Concurrency {
		p.senders.Add(1)
		go func() {
			defer p.senders.Done()
			for j := range p.jobs {
				p.outcomes <- p.deliver(ctx, j)
			}
		}()
	}
}

// flush hands the batch to a sender, accounting for the answers that come in meanwhile.
func (p *player) flush(ctx context.Context) error {
	if p.n == 0 {
		return nil
	}
	batch, n := p.batch, int64(p.n)
	p.batch, p.n = ptrace.NewTraces(), 0
	if p.cfg.DryRun {
		p.report()
		return nil
	}
	j := job{req: ptraceotlp.NewExportRequestFromTraces(batch), n: n}
	for {
		select {
		case p.jobs <- j:
			p.inflight++
			return nil
		case o := <-p.outcomes:
			p.account(o)
		case <-ctx.Done():
			p.res.Failed += n
			p.report()
			return ctx.Err()
		}
	}
}

// wait stops the senders once every request in flight is accounted for; the error is ctx's
// when a request was cut short by it.
func (p *player) wait(ctx context.Context) error {
	if p.jobs == nil {
		return nil
	}
	close(p.jobs)
	for p.inflight > 0 {
		p.account(<-p.outcomes)
	}
	p.senders.Wait()
	p.jobs = nil
	if p.canceled {
		return ctx.Err()
	}
	return nil
}

// account adds an outcome to the result and reports progress, on Replay's goroutine.
func (p *player) account(o outcome) {
	p.inflight--
	p.res.Sent += o.sent
	p.res.Failed += o.failed
	p.res.Retries += o.retries
	if o.err != "" {
		p.addError(o.err)
	}
	if o.canceled {
		p.canceled = true
	} else {
		p.res.Requests++
	}
	p.report()
}

// deliver sends one request, retrying; a request that cannot be delivered counts as failed.
// It runs on a sender goroutine and touches nothing of the player but its configuration.
func (p *player) deliver(ctx context.Context, j job) outcome {
	var o outcome
	n := j.n
	wait := p.cfg.InitialBackoff
	for attempt := 1; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		rejected, retryable, err := p.snd.send(rctx, j.req)
		cancel()
		if err == nil {
			o.sent = n
			return o
		}
		if ctx.Err() != nil {
			o.failed, o.canceled = n, true
			return o
		}
		if rejected > 0 || !retryable || attempt >= p.cfg.MaxAttempts {
			rejected = min(max(rejected, 0), n)
			if rejected == 0 {
				rejected = n
			}
			o.sent, o.failed = n-rejected, rejected
			o.err = fmt.Sprintf("%d spans not delivered after %d attempts: %v", rejected, attempt, err)
			return o
		}
		o.retries++
		d := wait/2 + rand.N(wait/2+1) // jitter keeps many replays from retrying in step
		select {
		case <-ctx.Done():
			o.failed, o.canceled = n, true
			return o
		case <-time.After(d):
		}
		wait = min(2*wait, p.cfg.MaxBackoff)
	}
}
