// One SUBSCRIBE response stream: the chunked 200 with `Mesos-Stream-Id`, RecordIO-framed events, the immediate
// HEARTBEAT and the periodic ones, the fuzz writer (records split at awkward byte offsets), the stall switch (no
// bytes at all while the socket stays open), a clean end (TEARDOWN, ERROR) and an abrupt cut (master failover).
import type { ServerResponse } from 'node:http';
import { seededRng } from './ids.js';
import { encodeRecord, fuzzSplit } from './recordio.js';
import { toWireJson } from './wire-json.js';

export interface StreamOptions {
  streamId: string;
  heartbeatIntervalMs: number;
  /** Seed for the fuzz splitter; undefined = write each record as one chunk. */
  fuzzSeed?: number;
  onClose: (stream: SubscriptionStream) => void;
}

export class SubscriptionStream {
  readonly streamId: string;
  private readonly res: ServerResponse;
  private readonly opts: StreamOptions;
  private heartbeat?: NodeJS.Timeout;
  private stalledBuffer: string[] | null = null;
  private backlog: string[] = [];
  private backlogHead = 0;
  private drainHooked = false;
  private readonly rng?: () => number;
  private fuzzQueue: { data: Buffer[]; starts: number[]; size: number } | null = null;
  private fuzzPieces: Buffer[] = [];
  private carry?: Buffer;
  private carryTimer?: NodeJS.Timeout;
  private pumping = false;
  private ending = false;
  closed = false;
  /** Records written so far (heartbeats included), for tests that count. */
  written = 0;

  constructor(res: ServerResponse, opts: StreamOptions) {
    this.res = res;
    this.opts = opts;
    this.streamId = opts.streamId;
    if (opts.fuzzSeed !== undefined) this.rng = seededRng(opts.fuzzSeed);
    res.socket?.setTimeout(0);
    res.socket?.setNoDelay(true);
    res.on('close', () => this.markClosed());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': opts.streamId });
    res.flushHeaders();
  }

  get stalled(): boolean {
    return this.stalledBuffer !== null;
  }

  send(event: unknown): void {
    this.sendRaw(toWireJson(event));
  }

  sendRaw(json: string): void {
    if (this.closed || this.ending) return;
    this.written++;
    if (this.stalledBuffer) {
      this.stalledBuffer.push(json);
      return;
    }
    this.emit(json);
  }

  /** SUBSCRIBED has been sent: a first HEARTBEAT now, then one per interval. */
  startHeartbeats(): void {
    this.send({ type: 'HEARTBEAT' });
    if (this.opts.heartbeatIntervalMs > 0) {
      this.heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), this.opts.heartbeatIntervalMs);
      this.heartbeat.unref();
    }
  }

  /** While stalled nothing reaches the socket; what would have been sent is delivered when the stall ends. */
  stall(on: boolean): void {
    if (on && !this.stalledBuffer) this.stalledBuffer = [];
    if (!on && this.stalledBuffer) {
      const held = this.stalledBuffer;
      this.stalledBuffer = null;
      for (const json of held) this.emit(json);
    }
  }

  /** Ends the body cleanly (the client sees EOF), after anything queued. */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.stopHeartbeats();
    if (this.stalledBuffer) this.stalledBuffer = null;
    if (this.carry) this.releaseCarry();
    if (this.pumping || this.fuzzQueue) return; // the pump ends the response when it drains
    if (this.backlogHead < this.backlog.length) return; // so does the backlog
    this.res.end();
  }

  /** Cuts the connection without ending the chunked body, as a crashing master would. */
  destroy(): void {
    this.stopHeartbeats();
    this.res.socket?.destroy();
    this.markClosed();
  }

  private stopHeartbeats(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (this.carryTimer && !this.ending) clearTimeout(this.carryTimer);
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopHeartbeats();
    this.opts.onClose(this);
  }

  private emit(json: string): void {
    if (!this.rng) {
      // While the socket is congested, events wait here as strings rather than as buffers in the socket: a slow
      // scheduler then costs garbage-collected heap, which is given back once it catches up.
      if (this.backlogHead < this.backlog.length || this.res.writableNeedDrain) {
        this.backlog.push(json);
        if (!this.drainHooked) {
          this.drainHooked = true;
          this.res.once('drain', () => this.flushBacklog());
        }
        return;
      }
      this.res.write(encodeRecord(json));
      return;
    }
    const record = encodeRecord(json);
    // Gather what is sent in this tick, then split it as a whole so some chunks span records.
    if (!this.fuzzQueue) {
      this.fuzzQueue = { data: [], starts: [], size: 0 };
      setImmediate(() => this.flushFuzz());
    }
    this.fuzzQueue.starts.push(this.fuzzQueue.size);
    this.fuzzQueue.data.push(record);
    this.fuzzQueue.size += record.length;
  }

  private flushBacklog(): void {
    this.drainHooked = false;
    while (!this.closed && this.backlogHead < this.backlog.length) {
      const ok = this.res.write(encodeRecord(this.backlog[this.backlogHead++]!));
      if (!ok) {
        this.drainHooked = true;
        this.res.once('drain', () => this.flushBacklog());
        break;
      }
    }
    if (this.backlogHead >= this.backlog.length) {
      this.backlog = [];
      this.backlogHead = 0;
      if (this.ending && !this.closed) this.res.end();
    } else if (this.backlogHead > 4096) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  private flushFuzz(): void {
    const q = this.fuzzQueue;
    this.fuzzQueue = null;
    if (!q || this.closed) return;
    // The tail held back last time goes in front, so it shares a chunk with what follows.
    const carry = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    if (this.carryTimer) clearTimeout(this.carryTimer);
    const pieces = fuzzSplit(
      Buffer.concat([carry, ...q.data]),
      q.starts.map((s) => s + carry.length),
      this.rng!,
    );
    if (carry.length > 0 && pieces.length > 1 && pieces[0]!.length <= carry.length) {
      pieces.splice(0, 2, Buffer.concat([pieces[0]!, pieces[1]!]));
    }
    if (!this.ending && pieces.length > 0 && this.rng!() < 0.4) {
      // Hold the last piece back a little: a later record may join it in one chunk.
      this.carry = pieces.pop();
      this.carryTimer = setTimeout(() => this.releaseCarry(), 15);
    }
    this.fuzzPieces.push(...pieces);
    if (!this.pumping) this.pump();
  }

  private releaseCarry(): void {
    if (!this.carry || this.closed) return;
    this.fuzzPieces.push(this.carry);
    this.carry = undefined;
    if (!this.pumping) this.pump();
  }

  /** One chunk per turn of the event loop, so chunks tend to leave in separate TCP segments. */
  private pump(): void {
    if (this.closed) return;
    const piece = this.fuzzPieces.shift();
    if (!piece) {
      this.pumping = false;
      if (this.ending && !this.fuzzQueue) this.res.end();
      return;
    }
    this.pumping = true;
    this.res.write(piece);
    setImmediate(() => this.pump());
  }
}
