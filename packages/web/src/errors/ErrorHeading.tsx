import type { ErrorGroup } from '@spoor/model';
import { errorTitle } from './error-context';

/** An error group page's heading: the exception type over the message, or the message alone when the group has no type. */
export function ErrorHeading({ group }: { group: ErrorGroup }) {
  const title = errorTitle(group);
  if (title.type === null) return <h1 className="error-sample">{title.message}</h1>;
  return (
    <>
      <h1>
        <span className="error-type">{title.type}</span>
      </h1>
      <p className="error-sample">{title.message}</p>
    </>
  );
}
