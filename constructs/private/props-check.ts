import { InvalidPropsError, SpecError } from '../../model';

/**
 * Collects what is wrong with a construct's props and throws them together as one
 * `InvalidPropsError`, so a user of the construct fixes every problem in one pass. A construct
 * built from a validated environment passes, because the spec validator checked the same facts.
 */
export class PropsCheck {
  private readonly errors: SpecError[] = [];

  /** @param construct what is being built, e.g. `ProxmoxLxc mine/app`, for the error's first line */
  constructor(private readonly construct: string) {}

  /** Records a problem of the prop at `path` unless `ok`; returns `ok`. */
  expect(ok: boolean, path: string, problem: string, hint: string, value: unknown): boolean {
    if (!ok) this.errors.push(new SpecError(path, problem, hint, value));
    return ok;
  }

  /** A positive number (sizes, counts); integers only when `integer`. */
  positive(value: number | undefined, path: string, hint: string, integer = false): void {
    if (value === undefined) return;
    const ok = Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
    this.expect(ok, path, `must be a positive ${integer ? 'integer' : 'number'}`, hint, value);
  }

  /** Throws the collected problems, if any. */
  done(): void {
    if (this.errors.length > 0) throw new InvalidPropsError(this.construct, this.errors);
  }
}
