using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>Server data the designer's input editors offer (e.g. the unit groups of the directories in the database).</summary>
/// <param name="Groups">Unit groups (khối / cụm thi đua) of every directory, first occurrence of a code wins.</param>
/// <param name="Tags">The unit tags used in every directory ("lead", "luc-luong-vu-trang"), distinct ignoring case, ordered.</param>
internal sealed record DesignerData(IReadOnlyList<UnitGroup> Groups, IReadOnlyList<string> Tags);
