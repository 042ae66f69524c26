/**
 * A counting semaphore with priorities: the one concurrency limit shared by every blob and manifest transfer of a
 * run. Waiters with a higher priority go first (FIFO among equals): the copier gives manifest requests the top
 * priority, so every image reaches its blobs early, and larger blobs before smaller ones, so a run does not end with
 * one big transfer started last.
 */
interface Waiter {
    readonly priority: number;
    readonly seq: number;
    readonly start: () => void;
}

/** Priority for short requests that unblock more work (manifests). */
export const URGENT = Number.POSITIVE_INFINITY;

/** At most `limit` tasks at once, the rest started by priority. */
export class Limiter {
    private active: number;
    private seq: number;
    private readonly waiting: Waiter[];

    constructor(readonly limit: number) {
        // Fields are set here, not by initializers: Pulumi's closure serialization (the image mirror provider) keeps
        // a class's constructor but drops its field initializers.
        this.active = 0;
        this.seq = 0;
        this.waiting = [];
        if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`);
    }

    /**
     * Runs `fn` once a slot is free. `fn` must not wait for other limited work, or a full limiter deadlocks:
     * callers wrap leaf transfers only, never whole images.
     */
    async run<T>(fn: () => Promise<T>, priority = 0): Promise<T> {
        if (this.active >= this.limit) {
            await new Promise<void>((start) => this.waiting.push({ priority, seq: this.seq++, start }));
        } else {
            this.active++;
        }
        try {
            return await fn();
        } finally {
            const next = this.takeNext();
            // Hand the slot straight to the next waiter, so `active` never drops below the demand.
            if (next) next.start();
            else this.active--;
        }
    }

    /**
     * A slot now, if one is free and nobody waits for it (spare capacity: ranged parts of a large blob use it);
     * the caller must call the returned function once done. Undefined when the limiter is full or has waiters.
     */
    tryAcquire(): (() => void) | undefined {
        if (this.active >= this.limit || this.waiting.length > 0) return undefined;
        this.active++;
        let released = false;
        return () => {
            if (released) return;
            released = true;
            const next = this.takeNext();
            if (next) next.start();
            else this.active--;
        };
    }

    /** Transfers running now. */
    get running(): number {
        return this.active;
    }

    private takeNext(): Waiter | undefined {
        let best = -1;
        for (let i = 0; i < this.waiting.length; i++) {
            const w = this.waiting[i];
            if (best < 0 || w.priority > this.waiting[best].priority) best = i;
        }
        return best < 0 ? undefined : this.waiting.splice(best, 1)[0];
    }
}
