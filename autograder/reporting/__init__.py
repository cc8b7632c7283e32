"""Everything graders and students read: gradebook, results.json, feedback pages, class report."""
