namespace WorkflowHost.Engine.Activities;

/// <summary>Marks an activity that may leave bookmarks; its bookmarks are deleted when it completes.</summary>
public interface IWaitingActivity;
