namespace WorkflowHost.Server.Data;

/// <summary>
/// Schema version 3 → 4 (issue 15.1: a task's minimum is checked), hand-written per provider
/// (docs/decisions/0004): the exemplar rows of a task's latest submission by kind (<c>Counted</c>) and
/// what they lack to reach its minimum (<c>Shortfall</c>), two columns of <c>UnitTasks</c>. Existing
/// tasks get empty values: their submissions were not counted (a later submission counts).
/// </summary>
internal static class TaskShortfallSchema
{
    public const string Sqlite = """
        ALTER TABLE "UnitTasks" ADD COLUMN "Counted" TEXT NOT NULL DEFAULT '';
        ALTER TABLE "UnitTasks" ADD COLUMN "Shortfall" TEXT NOT NULL DEFAULT '';
        """;

    public const string Postgres = """
        ALTER TABLE "UnitTasks" ADD COLUMN "Counted" text NOT NULL DEFAULT '';
        ALTER TABLE "UnitTasks" ADD COLUMN "Shortfall" text NOT NULL DEFAULT '';
        """;
}
