"""Everything that knows about SpiffWorkflow and BPMN/DMN XML."""
