Console.WriteLine("workflowhost");
