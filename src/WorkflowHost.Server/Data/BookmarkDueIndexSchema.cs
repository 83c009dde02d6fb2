namespace WorkflowHost.Server.Data;

/// <summary>
/// Schema version 4 → 5 (issue 13, P2): an index on a bookmark's instance, kind and due instant, hand-written per
/// provider (docs/decisions/0004). A step looks up the due timers of one instance (or of a group of instances);
/// with only the (Kind, DueAt) index SQLite read every due timer of every instance to find them, so a sweep over
/// n instances read about n²/2 rows. No rows change.
/// </summary>
internal static class BookmarkDueIndexSchema
{
    /// <summary>The index's name, as EF names it from the model.</summary>
    public const string IndexName = "IX_Bookmarks_InstanceId_Kind_DueAt";

    public const string Sqlite = $"""CREATE INDEX IF NOT EXISTS "{IndexName}" ON "Bookmarks" ("InstanceId", "Kind", "DueAt");""";

    public const string Postgres = Sqlite;
}
