package exporters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestNewFileConfig(t *testing.T) {
	delta := func(sdkmetric.InstrumentKind) metricdata.Temporality { return metricdata.DeltaTemporality }
	tests := []struct {
		name      string
		opts      []FileOption
		want      fileConfig
		wantDelta bool
		wantErr   string
	}{
		{name: "defaults", want: fileConfig{maxSizeMB: 100, maxBackups: 5}},
		{name: "nil option ignored", opts: []FileOption{nil}, want: fileConfig{maxSizeMB: 100, maxBackups: 5}},
		{name: "zero means default", opts: []FileOption{WithMaxSizeMB(0), WithMaxBackups(0), WithMaxAgeDays(0)}, want: fileConfig{maxSizeMB: 100, maxBackups: 5}},
		{name: "set", opts: []FileOption{WithMaxSizeMB(7), WithMaxBackups(2), WithMaxAgeDays(30), WithCompress(true), WithTemporality(delta)},
			want: fileConfig{maxSizeMB: 7, maxBackups: 2, maxAgeDays: 30, compress: true}, wantDelta: true},
		{name: "last option wins", opts: []FileOption{WithMaxSizeMB(7), WithMaxSizeMB(9)}, want: fileConfig{maxSizeMB: 9, maxBackups: 5}},
		{name: "negative backups keep all", opts: []FileOption{WithMaxBackups(-1)}, want: fileConfig{maxSizeMB: 100, maxBackups: -1}},
		{name: "nil temporality is the default", opts: []FileOption{WithTemporality(nil)}, want: fileConfig{maxSizeMB: 100, maxBackups: 5}},
		{name: "negative size", opts: []FileOption{WithMaxSizeMB(-1)}, wantErr: "max size must not be negative, got -1 MB"},
		{name: "negative age", opts: []FileOption{WithMaxAgeDays(-1)}, wantErr: "max age must not be negative, got -1 days"},
		{name: "size overflows", opts: []FileOption{WithMaxSizeMB(math.MaxInt)}, wantErr: fmt.Sprintf("max size is too large, got %d MB", math.MaxInt)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := newFileConfig(tt.opts)
			if tt.wantErr != "" {
				assert.EqualError(t, err, "exporters: "+tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, c.temporality)
			want := metricdata.CumulativeTemporality
			if tt.wantDelta {
				want = metricdata.DeltaTemporality
			}
			assert.Equal(t, want, c.temporality(sdkmetric.InstrumentKindCounter))
			c.temporality = nil
			assert.Equal(t, tt.want, c)
		})
	}
}

func TestOpenLineFile(t *testing.T) {
	tests := []struct {
		name          string
		existing      []byte // nil: no file
		opts          []FileOption
		wantTerminate bool
		wantBackups   int
	}{
		{name: "new file", wantBackups: 5},
		{name: "empty file", existing: []byte{}, wantBackups: 5},
		{name: "whole lines", existing: []byte("{}\n{}\n"), wantBackups: 5},
		{name: "cut short", existing: []byte("{}\n{\"resou"), wantTerminate: true, wantBackups: 5},
		{name: "unlimited backups", opts: []FileOption{WithMaxBackups(-3)}, wantBackups: -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.jsonl")
			if tt.existing != nil {
				require.NoError(t, os.WriteFile(path, tt.existing, 0o600))
			}
			c, err := newFileConfig(tt.opts)
			require.NoError(t, err)
			f, err := openLineFile(path, c)
			require.NoError(t, err)
			assert.Equal(t, tt.wantTerminate, f.terminate)
			rf, ok := f.w.(*rotatingFile)
			require.True(t, ok)
			assert.Equal(t, tt.wantBackups, rf.backups, "0 or less keeps every backup")
			assert.Equal(t, path, rf.path)
			require.NoError(t, f.close(t.Context()))
		})
	}
}

// failingWriter writes part of what it is given, then fails, once.
type failingWriter struct {
	bytes.Buffer
	failed bool
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if !w.failed {
		w.failed = true
		n, _ := w.Buffer.Write(p[:len(p)/2])
		return n, errors.New("disk full")
	}
	return w.Buffer.Write(p)
}

func (w *failingWriter) close(context.Context) error { return nil }

func TestLineFileWriteLine(t *testing.T) {
	w := &failingWriter{}
	f := &lineFile{path: "x.jsonl", w: w, maxFile: 1 << 20}
	err := f.writeLine([]byte(`{"a":1}`))
	require.ErrorContains(t, err, `exporters: write "x.jsonl": disk full`)
	require.NoError(t, f.writeLine([]byte(`{"b":2}`)))
	require.NoError(t, f.writeLine([]byte(`{"c":3}`)))
	assert.Equal(t, "{\"a\"\n{\"b\":2}\n{\"c\":3}\n", w.String(), "the torn line is ended before the next record")
}

func TestLineFileFits(t *testing.T) {
	tests := []struct {
		name      string
		maxFile   int
		terminate bool
		n         int
		want      bool
	}{
		{name: "with its newline", maxFile: 10, n: 9, want: true},
		{name: "newline does not fit", maxFile: 10, n: 10, want: false},
		{name: "leading newline counts", maxFile: 10, terminate: true, n: 9, want: false},
		{name: "over the reader limit", maxFile: 2 * MaxLineBytes, n: MaxLineBytes + 1, want: false},
		{name: "at the reader limit", maxFile: 2 * MaxLineBytes, n: MaxLineBytes, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &lineFile{maxFile: tt.maxFile, terminate: tt.terminate}
			assert.Equal(t, tt.want, f.fits(tt.n))
		})
	}
}
