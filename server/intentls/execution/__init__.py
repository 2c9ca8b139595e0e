"""Running a `Plan`: process groups, output, scheduling of steps, cancellation."""
