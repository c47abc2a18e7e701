"""Everything that talks to code hosts and reads repositories."""
