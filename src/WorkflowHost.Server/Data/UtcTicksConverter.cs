using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace WorkflowHost.Server.Data;

/// <summary>Stores a <see cref="DateTimeOffset"/> as UTC ticks (SQLite only), so it sorts and compares in SQL.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
