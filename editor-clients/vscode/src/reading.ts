/** How the server read intent text (`Plan.reading`), shown under free text in *Run…*. */
import { Plan } from './protocol';

/** `«$ echo cats and dogs» then «build»`; undefined when the plan does not say. */
export function formatReading(plan: Plan): string | undefined {
    if (!plan.reading || plan.reading.length === 0) {
        return undefined;
    }
    return plan.reading.map((stage) => stage.map((text) => `«${text}»`).join(' and ')).join(' then ');
}

/** The line under a typed text: how it reads and how many steps, or why it cannot run. */
export function describePlan(plan: Plan): string {
    const steps = `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`;
    const reading = formatReading(plan);
    return reading ? `read as: ${reading} · ${steps}` : steps;
}

/**
 * Plans each typed text once, a moment after typing pauses, and remembers the line to show for
 * it; `changed` fires when a line arrives so the picker can refresh.
 */
export class ReadingPreview {
    private readonly lines = new Map<string, string>();
    private timer: ReturnType<typeof setTimeout> | undefined;

    constructor(
        private readonly plan: (text: string) => Promise<Plan>,
        private readonly changed: () => void,
        private readonly delayMs = 200,
    ) {}

    /** The line for `text`, if its plan has arrived. */
    line(text: string): string | undefined {
        return this.lines.get(text);
    }

    request(text: string): void {
        clearTimeout(this.timer);
        if (!text || this.lines.has(text)) {
            return;
        }
        this.timer = setTimeout(() => {
            this.plan(text).then(
                (plan) => this.settle(text, describePlan(plan)),
                (err: unknown) => this.settle(text, err instanceof Error ? err.message : String(err)),
            );
        }, this.delayMs);
    }

    dispose(): void {
        clearTimeout(this.timer);
    }

    private settle(text: string, line: string): void {
        this.lines.set(text, line);
        this.changed();
    }
}
