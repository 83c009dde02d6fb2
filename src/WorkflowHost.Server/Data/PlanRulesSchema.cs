namespace WorkflowHost.Server.Data;

/// <summary>
/// Schema version 2 → 3 (issue 5: minimums, amended due dates and quotas; issue 4: uploaded files),
/// hand-written per provider (docs/decisions/0004): two columns of <c>UnitTasks</c>, the instances'
/// <c>UnitScope</c> (issue 4: a plan started for some groups or units), and the
/// <c>Quotas</c> and <c>UploadedFiles</c> tables as EF's EnsureCreated writes them (checked by a test).
/// Existing tasks get no minimum and revision 0.
/// </summary>
internal static class PlanRulesSchema
{
    public const string Sqlite = """
        ALTER TABLE "UnitTasks" ADD COLUMN "Minimum" TEXT NOT NULL DEFAULT '';
        ALTER TABLE "UnitTasks" ADD COLUMN "DueRevision" INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE "WorkflowInstances" ADD COLUMN "UnitScope" TEXT NULL;
        CREATE TABLE "Quotas" (
            "Id" TEXT NOT NULL CONSTRAINT "PK_Quotas" PRIMARY KEY,
            "InstanceId" TEXT NOT NULL,
            "ActivityId" TEXT NOT NULL,
            "Movement" TEXT NOT NULL,
            "UnitCode" TEXT NOT NULL,
            "Period" TEXT NOT NULL,
            "PeriodStart" TEXT NOT NULL,
            "PeriodEnd" TEXT NOT NULL,
            "Minimum" TEXT NOT NULL,
            "Counted" TEXT NOT NULL,
            "Status" TEXT NOT NULL,
            "EvaluatedAt" INTEGER NULL
        );
        CREATE INDEX "IX_Quotas_InstanceId_UnitCode" ON "Quotas" ("InstanceId", "UnitCode");
        CREATE TABLE "UploadedFiles" (
            "Id" TEXT NOT NULL CONSTRAINT "PK_UploadedFiles" PRIMARY KEY,
            "UnitCode" TEXT NOT NULL,
            "TaskId" TEXT NOT NULL,
            "FileName" TEXT NOT NULL,
            "ContentType" TEXT NOT NULL,
            "Size" INTEGER NOT NULL,
            "Sha256" TEXT NOT NULL,
            "UploadedAt" INTEGER NOT NULL
        );
        CREATE INDEX "IX_UploadedFiles_TaskId" ON "UploadedFiles" ("TaskId");
        """;

    public const string Postgres = """
        ALTER TABLE "UnitTasks" ADD COLUMN "Minimum" text NOT NULL DEFAULT '';
        ALTER TABLE "UnitTasks" ADD COLUMN "DueRevision" integer NOT NULL DEFAULT 0;
        ALTER TABLE "WorkflowInstances" ADD COLUMN "UnitScope" text;
        CREATE TABLE "Quotas" (
            "Id" text NOT NULL,
            "InstanceId" text NOT NULL,
            "ActivityId" text NOT NULL,
            "Movement" text NOT NULL,
            "UnitCode" text NOT NULL,
            "Period" text NOT NULL,
            "PeriodStart" date NOT NULL,
            "PeriodEnd" date NOT NULL,
            "Minimum" text NOT NULL,
            "Counted" text NOT NULL,
            "Status" character varying(20) NOT NULL,
            "EvaluatedAt" timestamp with time zone,
            CONSTRAINT "PK_Quotas" PRIMARY KEY ("Id")
        );
        CREATE INDEX "IX_Quotas_InstanceId_UnitCode" ON "Quotas" ("InstanceId", "UnitCode");
        CREATE TABLE "UploadedFiles" (
            "Id" character varying(32) NOT NULL,
            "UnitCode" character varying(64) NOT NULL,
            "TaskId" character varying(300) NOT NULL,
            "FileName" character varying(120) NOT NULL,
            "ContentType" character varying(100) NOT NULL,
            "Size" bigint NOT NULL,
            "Sha256" character varying(64) NOT NULL,
            "UploadedAt" timestamp with time zone NOT NULL,
            CONSTRAINT "PK_UploadedFiles" PRIMARY KEY ("Id")
        );
        CREATE INDEX "IX_UploadedFiles_TaskId" ON "UploadedFiles" ("TaskId");
        """;

    /// <summary>The CREATE statements (for the test that compares them with EF's script).</summary>
    public static string CreateStatements(string script) => script[script.IndexOf("CREATE TABLE", StringComparison.Ordinal)..];
}
