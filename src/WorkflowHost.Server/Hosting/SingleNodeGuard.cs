namespace WorkflowHost.Server.Hosting;

/// <summary>
/// In SQLite mode only one server may use a data folder: a SQLite file is local to one host and has one
/// writer, and two servers would run two sets of Hangfire loops over one <c>workflowhost.db</c> (their
/// <c>hangfire.db</c> locks are local to that folder too). Several nodes need PostgreSQL. The guard holds an exclusive lock on
/// <c>&lt;data&gt;/workflowhost.lock</c> for the life of the process (an OS file lock, released when the
/// process dies, even by SIGKILL); a second server on the same folder refuses to start.
/// </summary>
public sealed class SingleNodeGuard : IDisposable
{
    private readonly FileStream _lock;

    private SingleNodeGuard(FileStream fileLock) => _lock = fileLock;

    /// <summary>Takes the lock.</summary>
    /// <exception cref="InvalidOperationException">Another process holds it.</exception>
    public static SingleNodeGuard Acquire(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "workflowhost.lock");
        try
        {
            return new SingleNodeGuard(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another WorkflowHost server is using the data folder '{dataDirectory}' (lock file {path}). SQLite mode runs a single node; " +
                "stop the other server, give this one its own App:DataDirectory, or use PostgreSQL (Database:Provider=Postgres) to run several nodes.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
